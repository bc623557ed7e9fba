import type Sharp from 'sharp';

// sharp (libvips, with its native binding: ~20 MB resident and ~0.1 s to load) is needed only when a
// picture is read or made, which many processes never do (a web process on a quiet site, every CLI
// command): it is loaded at the first use, once, rather than at start. A failed load is not kept, so
// each use reports sharp's own error.

let loading: Promise<typeof Sharp> | undefined;

/** The sharp function, loaded on first call. */
export function loadSharp(): Promise<typeof Sharp> {
  loading ??= import('sharp').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
