// Portcullis server: each hash worker keeps its hash's memory from one hash to the next.
//
// libsodium maps the memory of every Argon2id or scrypt hash (19 or 32 MiB) with mmap() and
// unmaps it when the hash is done. Both cost more than they seem:
//  - Fresh pages fault in and are zeroed on first touch. On this project's machine (a 2-core
//    microVM) that was close to half of a sign-in's time: with the memory kept (and wiped between
//    hashes), the server verified 80 sign-ins/s instead of 40-50 (wrk, 16 connections, Argon2id).
//  - mmap() and munmap() take the process's address-space lock for writing. A hash worker
//    preempted while it holds that lock (or waits in line for it) stalls every other thread that
//    needs it, connection threads included; that is what made lower scheduling priorities for the
//    workers stall get-session for hundreds of milliseconds.
// So the server is linked with `-Wl,--wrap=mmap,--wrap=munmap` and a static libsodium: the calls
// libsodium makes reach the wrappers here. In a thread that called keep_hash_memory() (the hash
// workers), the first large anonymous mapping is kept: unmapping it only wipes it
// (sodium_memzero), and the next mapping of the same size gets it back. Everything else, and
// every other thread, goes to the real mmap()/munmap(). A worker's region is unmapped when the
// thread exits. The cost: each worker holds one hash's memory between hashes (2 workers x 19 MiB
// with Argon2id), which the peak reaches anyway.

#ifndef PORTCULLIS_AUTH_HASH_MEMORY_H_
#define PORTCULLIS_AUTH_HASH_MEMORY_H_

namespace portcullis::auth {

// From now on, the calling thread keeps its hash memory as described above.
void keep_hash_memory();

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_HASH_MEMORY_H_
