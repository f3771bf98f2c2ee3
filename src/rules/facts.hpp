// What the rules may know about the registry: a read-only view of persons, organisations,
// districts, attachments and district panels, as of the moment an application is decided.
// The registry implements it over its in-memory state; tests implement it over small fixtures.
// Nothing here performs I/O.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "domain/model.hpp"

namespace emkhana::rules {

class RegistryView {
 public:
  virtual ~RegistryView() = default;

  virtual const domain::Person* FindPerson(const domain::Iin& iin) const = 0;
  virtual const domain::Organisation* FindOrg(std::string_view id) const = 0;
  virtual const domain::District* FindDistrict(std::string_view id) const = 0;
  // The districts of an organisation, ordered by id; valid until a district is added. Asked
  // for every decision: a list of its own would be an allocation each time.
  virtual std::span<const domain::District* const> DistrictsOf(std::string_view org) const = 0;
  // The organisations of an ATE, ordered by id.
  virtual std::vector<const domain::Organisation*> OrgsInAte(std::string_view ate) const = 0;
  // The person's periods that are not cancelled, ordered by `from`.
  virtual std::vector<const domain::Attachment*> PeriodsOf(const domain::Iin& iin) const = 0;
  // Approved free-choice changes of organisation applied for in `year`.
  virtual int FreeChoiceChangesIn(const domain::Iin& iin, int year) const = 0;
  // Capacity minus the panel on `day`. With `excluding`, that person's own periods are not
  // counted (an approval for them would end or cancel those periods anyway).
  virtual int FreePlacesOn(const domain::District& d, domain::Date day,
                           const domain::Iin* excluding = nullptr) const = 0;
  // The least free places over every date from `day` on.
  virtual int LeastFreePlacesFrom(const domain::District& d, domain::Date day,
                                  const domain::Iin* excluding = nullptr) const = 0;
  // Both at once (the capacity rules ask both of each district): a registry answers them from
  // one lookup of the district and its panel.
  struct Places {
    int free_on = 0;     // FreePlacesOn
    int least_from = 0;  // LeastFreePlacesFrom
  };
  virtual Places PlacesOf(const domain::District& d, domain::Date day,
                          const domain::Iin* excluding = nullptr) const {
    return {FreePlacesOn(d, day, excluding), LeastFreePlacesFrom(d, day, excluding)};
  }
};

}  // namespace emkhana::rules
