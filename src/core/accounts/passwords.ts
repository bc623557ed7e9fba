// Argon2id (the library's default algorithm) with OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// The native argon2 binding is loaded at the first password hashed or checked, not at every start.
let loading: Promise<typeof import('@node-rs/argon2')> | undefined;
function argon2() {
  loading ??= import('@node-rs/argon2').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Hashes a password with Argon2id. */
export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, OPTIONS);
}

// Verifying against this when the account does not exist makes "no such user" take as long as
// "wrong password", so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

/** Checks a password against a stored hash, or against a dummy hash when there is none (constant work). */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('pipit-dummy-password');
  const target = storedHash ?? (await dummyHash);
  const { verify } = await argon2();
  const ok = await verify(target, password).catch(() => false);
  return ok && storedHash !== undefined;
}
