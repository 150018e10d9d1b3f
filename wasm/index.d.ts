// Type declarations of the npm package `portcullis` (its wasm core).

/** A stable error code, e.g. "INVALID_EMAIL". The same codes the server returns. */
export type ErrorCode =
  | 'INVALID_EMAIL'
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_LONG'
  | 'PASSWORD_TOO_WEAK'
  | 'INVALID_NAME'
  | 'NAME_TOO_LONG'
  | 'INVALID_UTF8'
  | 'INVALID_TOKEN'
  | 'VALIDATION_ERROR'
  | (string & {});

/** A failed check: a stable code and an English message. */
export interface Failure {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** A check that passed, with the normalised value (e.g. the lower-cased e-mail). */
export interface Success<T> {
  ok: true;
  value: T;
}

export type Result<T> = Success<T> | Failure;
export type Check = { ok: true } | Failure;

export interface EmailOptions {
  /** Accept RFC 6531 (UTF-8) addresses. Default false, as BetterAuth. */
  allowInternational?: boolean;
}

/** The server's --min-username-length and --max-username-length (BetterAuth's username plugin). */
export interface UsernamePolicy {
  /** Default 3 (UTF-16 code units). */
  minLength?: number;
  /** Default 30. */
  maxLength?: number;
}

export interface NamePolicy {
  /** Accept a name that is empty after trimming. Default false. */
  allowEmpty?: boolean;
  /** Maximum length in UTF-16 code units after trimming. Default 128. */
  maxLength?: number;
}

export interface PasswordPolicy {
  /** Minimum length in UTF-16 code units. Default 8. */
  minLength?: number;
  /** Maximum length in UTF-16 code units. Default 128. */
  maxLength?: number;
  /** Maximum length in UTF-8 bytes, checked first. Default 1024. */
  maxBytes?: number;
  /** Minimum strength score (0-4) for new passwords (checkNewPassword). Default 2; 0: off. */
  minScore?: number;
}

/** checkNewPassword's verdict: the shape of the server's error body. */
export interface NewPasswordCheck {
  ok: boolean;
  /** e.g. "PASSWORD_TOO_SHORT", "PASSWORD_TOO_WEAK" */
  code?: string;
  message?: string;
  /** The strength score 0-4, or -1 when no estimate was made (a length rule failed, or minScore 0). */
  score: number;
  feedback?: { warning: string; warningKey: string; suggestions: string[]; suggestionKeys: string[] };
}

export interface StrengthOptions {
  /** The year dates and recent years are measured against (default: the current year). */
  referenceYear?: number;
}

/** One piece of the cheapest decomposition of the password, as zxcvbn reports it. */
export interface StrengthMatch {
  pattern: 'dictionary' | 'spatial' | 'repeat' | 'sequence' | 'regex' | 'date' | 'bruteforce';
  i: number;
  j: number;
  token: string;
  guesses: number;
  guesses_log10: number;
  [field: string]: unknown;
}

/** zxcvbn's result shape, with stable keys for the feedback (for translation). */
export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  guesses: number;
  guesses_log10: number;
  crack_times_seconds: Record<
    | 'online_throttling_100_per_hour'
    | 'online_no_throttling_10_per_second'
    | 'offline_slow_hashing_1e4_per_second'
    | 'offline_fast_hashing_1e10_per_second',
    number
  >;
  crack_times_display: Record<keyof Strength['crack_times_seconds'], string>;
  feedback: { warning: string; warning_key: string; suggestions: string[]; suggestion_keys: string[] };
  sequence: StrengthMatch[];
  /** The input was longer than the estimator reads; the rest counted as random characters. */
  truncated: boolean;
}

/** Text input: a string, or its UTF-8 bytes. */
export type Text = string | Uint8Array;

/** The loaded wasm core. Every method is synchronous. Obtain it with `await load()`. */
export declare class Core {
  private constructor();
  /** Validates an address as BetterAuth does (plus RFC 5321 lengths); returns it lower-cased. */
  validateEmail(email: Text, options?: EmailOptions): Result<string>;
  /** Validates a display name; returns it trimmed. */
  validateName(name: Text, policy?: NamePolicy): Result<string>;
  /**
   * Validates a username as the server's --username does (3-30 ASCII letters, digits, '_' and
   * '.'); returns it lower-cased, as it is stored. Errors: USERNAME_TOO_SHORT, USERNAME_TOO_LONG,
   * INVALID_USERNAME, INVALID_UTF8.
   */
  validateUsername(username: Text, policy?: UsernamePolicy): Result<string>;
  /** Checks a new password's length (sign-up, change, reset). */
  checkPassword(password: Text, policy?: PasswordPolicy): Check;
  /** Checks a password offered at sign-in: upper bounds only. */
  checkPasswordForSignIn(password: Text, policy?: PasswordPolicy): Check;
  /** The default password policy, as the server applies it. */
  passwordPolicyDefaults(): Required<PasswordPolicy>;
  /** Length in UTF-16 code units, or null if the bytes are not valid UTF-8. */
  utf16Length(text: Text): number | null;
  /** BetterAuth's signed cookie value: encodeURIComponent(value + "." + base64(HMAC-SHA-256)). */
  signCookie(value: string, secret: string): string;
  /** Verifies a signed cookie value and returns the value that was signed. */
  verifyCookie(cookie: Text, secret: string): Result<string>;
  /** A random token of [A-Za-z0-9] (default 32 characters), from crypto.getRandomValues. */
  generateToken(length?: number): string;
  /** The English message of an error code, or null for an unknown code. */
  errorMessage(code: string): string | null;
  /** Whether estimateStrength works: the dictionaries are loaded (see loadStrength()). */
  readonly strengthLoaded: boolean;
  /**
   * Estimates strength with zxcvbn's model; `userInputs` (e-mail, name) count as a dictionary.
   * Needs the dictionaries: on a Core from `await loadStrength()` (or once `strengthLoaded`);
   * throws an Error before.
   */
  estimateStrength(password: Text, userInputs?: string[], options?: StrengthOptions): Strength;
  /** The words the strength rule counts as known for a user (the server derives the same). */
  passwordUserInputs(email?: string, name?: string): string[];
  /**
   * The server's verdict on a new password for this user: length rules, then minScore. Throws if
   * the strength rule applies and loadStrength() has not resolved.
   */
  checkNewPassword(password: Text, user?: { email?: string; name?: string }, policy?: PasswordPolicy, options?: StrengthOptions): NewPasswordCheck;
}

/**
 * Loads the wasm core on first call (only then); later calls return the same promise. Validation,
 * cookies and tokens work at once; estimateStrength needs loadStrength().
 */
export function load(): Promise<Core>;

/**
 * Loads the core (as load()) and the strength meter's dictionaries (dist/portcullis-dictionary.bin,
 * about 235 KB gzipped, fetched in parallel with the wasm, only on the first call); resolves to the
 * same Core, on which estimateStrength works from then on. Call it when the meter is about to be
 * shown (e.g. when the password field gets focus). A page that needs the meter alone loads less
 * with `portcullis/meter` (loadMeter()).
 */
export function loadStrength(): Promise<Core>;

export function validateEmail(email: Text, options?: EmailOptions): Promise<Result<string>>;
export function validateName(name: Text, policy?: NamePolicy): Promise<Result<string>>;
export function validateUsername(username: Text, policy?: UsernamePolicy): Promise<Result<string>>;
export function checkPassword(password: Text, policy?: PasswordPolicy): Promise<Check>;
/** Loads the core and the dictionaries if needed (loadStrength()) and estimates strength. */
export function estimateStrength(password: Text, userInputs?: string[], options?: StrengthOptions): Promise<Strength>;
