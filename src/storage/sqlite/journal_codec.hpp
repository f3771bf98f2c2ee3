// The SQLite store's decision journal (ADR 0007): the frequent writes of a commit (attachment
// periods, their changes, decided applications, audit entries) as one compact binary record, so
// that a commit appends one row instead of updating half a dozen person-keyed indexes. The
// journal is applied to the relational tables later, in large transactions.
//
// Format: a version byte, then one record per mutation: a kind byte and its fields. Integers are
// LEB128 varints (signed ones zigzag-encoded), strings length-prefixed, dates day numbers, enums
// their names (domain/enum_names.hpp), so that a reordered enum cannot change what an old record
// means. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::sqlite {

// True for the mutations the journal carries; a batch of only these may be journalled.
bool Journalled(const Mutation& m);

// Appends the journalled mutations of `batch` from index `from` (inclusive) to `to` (exclusive)
// to `out` as one record body. Mutations that are not journalled (see Journalled) are skipped:
// the caller writes those itself.
void EncodeJournal(const WriteBatch& batch, std::size_t from, std::size_t to, std::string& out);

// The mutations of a body back, in order; kInternal for a body that EncodeJournal did not make.
[[nodiscard]] Result<WriteBatch> DecodeJournal(std::string_view body);

}  // namespace emkhana::storage::sqlite
