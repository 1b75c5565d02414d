let selectBuffer = new Float64Array(0);

/**
 * The `k`-th largest score (times `factor` when given) among the first `count` of `docs`,
 * by quickselect; -Infinity when there are no more than `k`.
 */
export function kthLargest(
  docs: Int32Array,
  count: number,
  score: Float64Array,
  factor: Int32Array | undefined,
  k: number,
): number {
  if (count <= k || k <= 0) return Number.NEGATIVE_INFINITY;
  if (selectBuffer.length < count) selectBuffer = new Float64Array(count);
  const a = selectBuffer;
  if (factor)
    for (let i = 0; i < count; i++) {
      const doc = docs[i]!;
      a[i] = score[doc]! * factor[doc]!;
    }
  else for (let i = 0; i < count; i++) a[i] = score[docs[i]!]!;
  return kthLargestIn(a, count, k);
}

/**
 * The `k`-th largest of the first `count` values of `a`, by quickselect in place (it reorders
 * them); -Infinity when there are no more than `k`.
 */
export function kthLargestIn(a: Float64Array, count: number, k: number): number {
  if (count <= k || k <= 0) return Number.NEGATIVE_INFINITY;
  // Descending order: the element at index k-1 ends as the k-th largest.
  let lo = 0;
  let hi = count - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}
