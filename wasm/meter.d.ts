// Type declarations of `portcullis/meter`: the password strength meter alone.

import type { Strength, StrengthMatch, StrengthOptions, Text } from './index.js';

export type { Strength, StrengthMatch, StrengthOptions, Text };

/** The loaded meter. Obtain it with `await loadMeter()`. */
export declare class Meter {
  private constructor();
  /**
   * Estimates strength with zxcvbn's model; `userInputs` (e-mail, name) count as a dictionary.
   * The same result as Core.estimateStrength of the package's main entry.
   */
  estimateStrength(password: Text, userInputs?: string[], options?: StrengthOptions): Strength;
}

/**
 * Loads the strength meter on first call: its wasm (dist/portcullis-meter.wasm) and the
 * dictionaries (dist/portcullis-dictionary.bin), fetched in parallel; later calls return the same
 * promise. Rejects if a file cannot be fetched or the dictionaries do not match the wasm.
 */
export function loadMeter(): Promise<Meter>;
