import type { CoreContext } from './context.ts';

// How buildCore turns modules of use cases into `core.<area>.<useCase>(…)`. Only functions that take
// the context first may be bound (a pure helper bound by mistake would receive the context as its first
// argument); a module that exports any other function fails the type-check where it is bound. Areas
// made of several modules are merged without letting one silently shadow a name of another.

type UseCase = (ctx: CoreContext, ...args: never[]) => unknown;
type AnyFunction = (...args: never[]) => unknown;

/** `M` with each exported function required to be a use case (context first); `never` marks the offenders. */
export type OnlyUseCases<M> = { [K in keyof M]: M[K] extends AnyFunction ? (M[K] extends UseCase ? M[K] : never) : M[K] };

type Bound<F> = F extends (ctx: CoreContext, ...args: infer A) => infer R ? (...args: A) => R : never;

/** A module's use cases with the context bound (its other exports — constants, types — are left out). */
export type BoundUseCases<M> = { [K in keyof M as M[K] extends AnyFunction ? K : never]: Bound<M[K]> };

/** Binds every function a module exports to `ctx`; each must take the context first (checked by type). */
export function bindAll<M extends OnlyUseCases<M>>(ctx: CoreContext, module: M): BoundUseCases<M> {
  const bound: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function') bound[name] = (...args: unknown[]) => (value as (...a: unknown[]) => unknown)(ctx, ...args);
  }
  return bound as BoundUseCases<M>;
}

/** `B`, unless it shares a name with `A`: then every shared name must be `never`, which fails the type-check. */
export type Disjoint<A, B> = B & { [K in keyof A & keyof B]: never };

/**
 * One area from two groups of use cases. A name in both is a mistake (the second would silently replace
 * the first): a type error where it is written, and an error at start should a cast hide it.
 */
export function mergeUseCases<A extends object, B extends object>(area: string, a: A, b: Disjoint<A, B>): A & B;
export function mergeUseCases<A extends object, B extends object, C extends object>(area: string, a: A, b: Disjoint<A, B>, c: Disjoint<A & B, C>): A & B & C;
export function mergeUseCases<A extends object, B extends object, C extends object, D extends object>(
  area: string,
  a: A,
  b: Disjoint<A, B>,
  c: Disjoint<A & B, C>,
  d: Disjoint<A & B & C, D>,
): A & B & C & D;
export function mergeUseCases<A extends object, B extends object, C extends object, D extends object, E extends object>(
  area: string,
  a: A,
  b: Disjoint<A, B>,
  c: Disjoint<A & B, C>,
  d: Disjoint<A & B & C, D>,
  e: Disjoint<A & B & C & D, E>,
): A & B & C & D & E;
export function mergeUseCases(area: string, ...groups: object[]): object {
  const merged: Record<string, unknown> = {};
  for (const group of groups) {
    for (const name of Object.keys(group)) {
      if (Object.hasOwn(merged, name)) throw new Error(`core.${area}.${name} is defined twice: rename one of them`);
    }
    Object.assign(merged, group);
  }
  return merged;
}
