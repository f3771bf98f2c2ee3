// Thread priorities. On two cores the decision pipeline's deciding thread is the bound, and the
// threads that write behind it (the committer, the WAL checkpointer) took turns with it on a core
// while they had work: they yield it now by running at a lower priority (ADR 0014).
#pragma once

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace emkhana {

// Runs the calling thread `nice` steps below the process's priority (Linux: a thread's own nice
// value; relative to the process, so a thread started by a lowered one is not lowered twice).
// A hint: failing changes nothing else.
inline void LowerThisThreadsPriority(int nice) {
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  setpriority(PRIO_PROCESS, tid, getpriority(PRIO_PROCESS, static_cast<id_t>(getpid())) + nice);
}

// How far the threads behind the deciding one are lowered: at nice 5 such a thread gets about
// a quarter of a core it shares with a normal one, and all of an idle core.
inline constexpr int kBehindTheDecidingThread = 5;

}  // namespace emkhana
