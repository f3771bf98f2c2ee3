// Capacity (DOMAIN.md, "Capacity"): checked last. A chosen district must keep room on every date
// from the effective date on; otherwise the organisation assigns the fitting district with the
// most free places on that date (ties: the smaller id).
#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::Date;
using domain::District;

int DistrictCapacity(const District& district, const domain::Norms& norms) {
  if (district.capacity) return *district.capacity;
  return norms.For(district.kind) * district.doctors;
}

const District* MostFreeFitting(const RegistryView& view,
                                std::span<const District* const> candidates, int age, Date day,
                                bool require_room, const domain::Iin* excluding) {
  const District* best = nullptr;
  bool best_has_room = false;
  int best_free = 0;
  for (const auto* d : candidates) {  // ordered by id, so `>` keeps the smaller id on ties
    if (!d->ServesAge(age)) continue;
    const auto places = view.PlacesOf(*d, day, excluding);
    const bool has_room = places.least_from > 0;
    if (require_room && !has_room) continue;
    const int free = places.free_on;
    if (!best || (has_room && !best_has_room) || (has_room == best_has_room && free > best_free)) {
      best = d;
      best_has_room = has_room;
      best_free = free;
    }
  }
  return best;
}

const District* PickDistrict(const Context& ctx, const Plan& plan) {
  // The person's own periods do not count: the approval ends or cancels them from the
  // effective date on ("the latest approval wins").
  const auto* self = &ctx.person.iin;
  if (ctx.district) {
    return ctx.view.LeastFreePlacesFrom(*ctx.district, plan.effective, self) > 0 ? ctx.district
                                                                                 : nullptr;
  }
  return MostFreeFitting(ctx.view, ctx.view.DistrictsOf(ctx.app.org),
                         ctx.person.AgeOn(plan.effective), plan.effective, /*require_room=*/true,
                         self);
}

}  // namespace emkhana::rules
