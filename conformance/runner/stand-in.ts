// What a step that did not run hands the journey code after it, in place of its value. A
// journey's steps are called one after the other, and the code between them only passes values
// on (`const { id } = await ctx.step(…)`); once a step has failed or been skipped for good, every
// later step is skipped without running, so no check ever sees a stand-in. It only has to let the
// journey reach those steps: any property of it, any call of it and destructuring it give a
// stand-in again, as text it is empty, and it is not a promise.

const MANY = 16;

export function standIn<T>(): T {
  const proxy: unknown = new Proxy(function standInValue() {}, {
    get(_target, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => '';
      if (key === Symbol.iterator) return function* items() {
        for (let i = 0; i < MANY; i++) yield proxy;
      };
      return proxy;
    },
    apply: () => proxy,
    construct: () => proxy as object,
    has: () => false,
  });
  return proxy as T;
}
