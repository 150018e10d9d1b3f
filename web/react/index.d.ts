// Type declarations of `portcullis/react`: session state, forms, strength meter and user menu.
import type { ReactElement, ReactNode, ComponentType } from 'react';

import type { AuthClient, AuthFailure, Session, SessionWithUser, User } from '../client/index.js';
import type { Core, PasswordPolicy, NamePolicy, Strength } from '../../wasm/index.js';

export interface AuthProviderProps {
  /** A client from createClient() or fromBetterAuth(); else one is made from baseURL. */
  client?: AuthClient;
  /** The server's origin (or full API URL); default: the page's origin. */
  baseURL?: string;
  basePath?: string;
  children?: ReactNode;
}

/** Holds the session for its children; refetches after sign-in/out (in any tab) and on focus. */
export function AuthProvider(props: AuthProviderProps): ReactElement;

export interface SessionState {
  /** 'loading' during server-side rendering and until the server first answers. */
  status: 'loading' | 'authenticated' | 'unauthenticated';
  data: SessionWithUser | null;
  user: User | null;
  session: Session | null;
  /** The last failure to read the session (not a 401), e.g. NETWORK_ERROR. */
  error: AuthFailure | null;
  refetch(): Promise<void>;
  signOut(): ReturnType<AuthClient['signOut']>;
  client: AuthClient;
}

export function useSession(): SessionState;
export function useAuthClient(): AuthClient;

/** The wasm core once loaded in the browser (validation), else null. */
export function useCore(): Core | null;
/** The wasm core with the strength dictionaries, once `active` has been true and they are loaded. */
export function useStrengthCore(active?: boolean): Core | null;
/** estimateStrength(password, userInputs) on `core`, or null while it is not ready. */
export function useStrength(core: Core | null, password: string, userInputs?: string[]): Strength | null;

/** The words of a user the server counts as guessable (the core's password_user_inputs). */
export function passwordUserInputs(email: string, name: string, core?: Core | null): string[];

export type PasswordVerdict =
  | { ok: true }
  | { ok: false; code: string; message: string; score?: number; feedback?: Strength['feedback'] };

/** The server's verdict on a new password: length rules, then the minimum score. */
export function passwordVerdict(
  core: Core,
  password: string,
  strength: Strength | null,
  options?: { minScore?: number; policy?: PasswordPolicy },
): PasswordVerdict;

/** Labels and messages; every key is optional. */
export interface Texts {
  name?: string;
  email?: string;
  password?: string;
  signUp?: string;
  signIn?: string;
  working?: string;
  required?: (label: string) => string;
  strength?: string;
  scores?: [string, string, string, string, string];
  loading?: string;
  signOut?: string;
  signedInAs?: string;
  /** The label of the checkbox that shows a typed password as text. */
  showPassword?: string;
}

export interface PasswordStrengthMeterProps {
  password: string;
  /** The user's e-mail and name: their words make a password weaker, as on the server. */
  email?: string;
  name?: string;
  /** The server's minimum score (default 2). */
  minScore?: number;
  policy?: PasswordPolicy;
  /** An estimate already made (then the meter does not estimate). */
  strength?: Strength | null;
  core?: Core | null;
  text?: Texts;
  id?: string;
  /** Leave out the warning line (e.g. when the field's error already shows it). */
  hideWarning?: boolean;
}

/** A bar, the score's name, the warning and the suggestions; data-score and data-verdict attributes. */
export function PasswordStrengthMeter(props: PasswordStrengthMeterProps): ReactElement;

export interface SignUpFormProps {
  onSuccess?: (value: { token: string | null; user: User }) => void;
  minScore?: number;
  passwordPolicy?: PasswordPolicy;
  namePolicy?: NamePolicy;
  title?: ReactNode;
  text?: Texts;
  footer?: ReactNode;
  className?: string;
  callbackURL?: string;
}

export function SignUpForm(props: SignUpFormProps): ReactElement;

export interface SignInFormProps {
  onSuccess?: (value: { redirect: boolean; token: string; url?: string; user: User }) => void;
  rememberMe?: boolean;
  passwordPolicy?: PasswordPolicy;
  title?: ReactNode;
  text?: Texts;
  footer?: ReactNode;
  className?: string;
}

export function SignInForm(props: SignInFormProps): ReactElement;

export interface UserMenuProps {
  loginHref?: string;
  signUpHref?: string;
  onSignOut?: () => void;
  /** The link component (e.g. Docusaurus's Link, given `to`); default <a href>. */
  link?: ComponentType<any> | 'a';
  className?: string;
  text?: Texts;
}

/** The user's name opening a panel with the e-mail and "Sign out"; "Sign in" when signed out. */
export function UserMenu(props: UserMenuProps): ReactElement;
