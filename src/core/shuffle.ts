/**
 * A seeded shuffle for training: the same seed gives the same order on every machine, so a model
 * trained from the same data is the same file.
 */
export function seededShuffle(seed: number): (order: number[]) => void {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return (order) => {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  };
}
