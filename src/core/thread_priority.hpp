// Thread priorities. On two cores the decision pipeline's deciding thread is the bound, and the
// threads that write behind it (the committer, the WAL checkpointer) or feed it (`campaign`'s
// submitter) took turns with it on a core while they had work: they yield it now by running at
// a lower priority (ADR 0014).
#pragma once

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace emkhana {

// The process's nice value as it started (read before main, on the main thread).
inline const int kStartingNice = getpriority(PRIO_PROCESS, 0);

// Runs the calling thread `nice` steps below the process's starting priority (Linux: a thread's
// own nice value). Relative to the start, so a thread started by a lowered one is not lowered
// twice. A hint: failing changes nothing else.
inline void LowerThisThreadsPriority(int nice) {
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kStartingNice + nice);
}

// The calling thread runs `nice` steps below the process while this lives (a thread that only
// feeds the pipeline), then at its own priority again where it may (raising a priority takes a
// privilege; without it the thread stays lowered). Threads it starts meanwhile inherit the lower
// priority.
class LoweredPriority {
 public:
  explicit LoweredPriority(int nice)
      : tid_(static_cast<id_t>(syscall(SYS_gettid))), before_(getpriority(PRIO_PROCESS, tid_)) {
    LowerThisThreadsPriority(nice);
  }
  ~LoweredPriority() { setpriority(PRIO_PROCESS, tid_, before_); }
  LoweredPriority(const LoweredPriority&) = delete;
  LoweredPriority& operator=(const LoweredPriority&) = delete;

 private:
  id_t tid_;
  int before_;
};

// How far the threads behind the deciding one are lowered: at nice 5 such a thread gets about
// a quarter of a core it shares with a normal one, and all of an idle core.
inline constexpr int kBehindTheDecidingThread = 5;

}  // namespace emkhana
