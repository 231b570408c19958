/** Strict type equality for assertions that both tsd (TS 5.x) and plain tsc (TS 7.x) check exactly. */
export type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
/** Compiles only when `T` is `true`. */
export type Expect<T extends true> = T;
