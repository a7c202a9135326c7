/** Random secrets and how they are kept: only a sha256 of a token, session or link ever reaches the database. */
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

/** `<prefix>` + 32 random bytes in base64url (43 characters): ptx_… tokens, session and link secrets. */
export const newSecret = (prefix = "") => prefix + randomBytes(32).toString("base64url");

export const sha256 = (secret: string) => createHash("sha256").update(secret).digest("hex");

const pbkdf2Async = promisify(pbkdf2);
/** MLflow's choice and OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
const PBKDF2_ITERATIONS = 600_000;

/** "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await pbkdf2Async(password, salt, PBKDF2_ITERATIONS, 32, "sha256");
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${salt.toString("hex")}$${hash.toString("hex")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "hex");
  const actual = await pbkdf2Async(password, Buffer.from(salt, "hex"), Number(iterations), expected.length, "sha256");
  return timingSafeEqual(actual, expected);
}

/** Equal strings in constant time (for secrets compared outside the database). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a), "hex");
  const y = Buffer.from(sha256(b), "hex");
  return timingSafeEqual(x, y);
}
