// Storage keys: chosen by the caller (a uuid and a suffix), never a path, so no backend can be led outside its root.
const KEY = /^[0-9a-z][0-9a-z._-]{2,127}$/

/** Lower-case letters, digits, '.', '-', '_'; no slashes, no '..'. */
export function assertKey(key: string): void {
  if (!KEY.test(key) || key.includes('..')) throw new Error(`invalid storage key "${key}"`)
}
