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
// "wrong password", so timing does not reveal which usernames exist. Begun at the first check of any
// kind, so it is ready before the first unknown name is tried.
let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  if (dummyHash === undefined) {
    const hashing = hashPassword('pipit-dummy-password');
    dummyHash = hashing;
    // Handled here, so a failure while no caller awaits it cannot end the process as an unhandled
    // rejection; forgotten, so the next check tries again rather than failing forever.
    hashing.catch(() => {
      if (dummyHash === hashing) dummyHash = undefined;
    });
  }
  return dummyHash;
}

/** Checks a password against a stored hash, or against a dummy hash when there is none (constant work). */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  // Loaded first: a library that cannot load fails this check (a clear error), nothing else.
  const { verify } = await argon2();
  const pending = dummy();
  const target = storedHash ?? (await pending);
  const ok = await verify(target, password).catch(() => false);
  return ok && storedHash !== undefined;
}
