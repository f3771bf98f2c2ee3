// Replies that arrive late: each request of a kind begins a new generation, and a reply is kept
// only if no later request of the same kind has begun since. Without it a slow reply to an
// earlier request (another region, another month, the person signed in before) would overwrite
// the newer state and re-render the page with it.

/** `begin()` starts a request of this kind and returns `isLatest()` for its reply. */
export function latest(): () => () => boolean {
  let generation = 0;
  return () => {
    generation += 1;
    const mine = generation;
    return () => mine === generation;
  };
}
