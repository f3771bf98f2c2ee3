// The change log's format (ADR 0006): a committed WriteBatch as one JSON text, so that a process
// may apply what another one committed. Carries every mutation that changes the registry, in the
// batch's order, with every field the stores keep; the audit trail is left out (it changes
// nothing in memory and is read from its own table). Dates are day numbers (Date::days, exact for
// the open end too), moments microseconds, enums their names (domain/enum_names.hpp), so that a
// reordered enum cannot change what an old row means.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "storage/store.hpp"

namespace emkhana::storage {

// The batch's registry changes (ChangesRegistry) as JSON; "[]" when it has none.
std::string EncodeChanges(const WriteBatch& batch);

// The batch back; kInternal for a text that EncodeChanges did not make.
[[nodiscard]] Result<WriteBatch> DecodeChanges(std::string_view text);

}  // namespace emkhana::storage
