/**
 * Who is asking, and what they may do. Scopes are levels: admin includes write, write includes
 * read. Users get theirs from their role (viewer: read, editor: write, admin: admin).
 */
import type { Role, Scope } from "@/drizzle/schema";

export interface Principal {
  /** as audit rows name them: "user:alice", "token:ci", "local admin", "anonymous" */
  actor: string;
  /** the highest scope held; null: none (an anonymous caller when reading needs a token) */
  scope: Scope | null;
  /** a token restricted to one project reaches only that project's experiments and runs */
  projectId: number | null;
  /** set when no credential was sent */
  anonymous: boolean;
  /** a session's CSRF token, which its writes must send back */
  csrf?: string;
  userId?: number;
  tokenId?: number;
}

/** A caller without credentials, before the server's anonymous-read setting is applied. */
export const NOBODY: Principal = { actor: "anonymous", scope: null, projectId: null, anonymous: true };

const LEVEL: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

export const ROLE_SCOPE: Record<Role, Scope> = { viewer: "read", editor: "write", admin: "admin" };

export function hasScope(principal: Principal, needed: Scope): boolean {
  return principal.scope !== null && LEVEL[principal.scope] >= LEVEL[needed];
}

/** The highest of a token's scopes. */
export function highestScope(scopes: readonly Scope[]): Scope | null {
  return scopes.reduce<Scope | null>((best, s) => (best === null || LEVEL[s] > LEVEL[best] ? s : best), null);
}
