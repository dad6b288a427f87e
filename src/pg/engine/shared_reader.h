// The tuple reader between a backend's own cache (core::CachingReader) and
// the index scans: each lookup is answered from the shared cache
// (shared_cache.h) when the statement may use it and an entry is there,
// and otherwise read from the scans and stored there for every backend.
#pragma once

#include <string>

#include "core/shared_items.h"
#include "core/tuple_reader.h"
#include "pg/engine/shared_cache.h"

namespace agentauthz::pg {

class SharedReader : public core::TupleReader {
 public:
  explicit SharedReader(core::TupleReader& inner) : inner_(inner) {}

  bool contains(const core::ObjectKey& object, std::string_view relation,
                const core::SubjectKey& subject, core::TupleCondition* condition) override;
  void read_subjects(const core::ObjectKey& object, std::string_view relation,
                     core::SubjectFilter filter, core::SubjectVisitor visit) override;
  bool read_few_subjects(const core::ObjectKey& object, std::string_view relation, size_t limit,
                         core::SubjectVisitor visit) override;
  bool read_object(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit) override;
  void read_objects(const core::SubjectKey& subject, std::string_view relation,
                    std::string_view object_type, core::ObjectVisitor visit) override;

 private:
  // Fills *items for key_ from the shared cache, or with `fill` (which
  // reads the scans) and then stores them there. `usable` says whether a
  // cached list answers this lookup.
  template <typename Usable, typename Fill>
  void shared_items(core::SharedItems* items, Usable&& usable, Fill&& fill);
  // Whether the shared cache holds, under key_, items `usable` accepts;
  // decodes them into *items.
  template <typename Usable>
  bool shared_hit(core::SharedItems* items, Usable&& usable);
  // Stores `items` under key_.
  void share(const core::SharedItems& items);
  // Reads a list of unbounded length with `read` (which passes each item's
  // key to its visitor) into items_ and stores it; once the list is too
  // long to store, visits what it collected with `visit_item` and then
  // passes the rest straight through. Returns whether it streamed.
  template <typename Read, typename Add, typename VisitItem, typename Visit>
  bool collect_or_stream(Read&& read, Add&& add, VisitItem&& visit_item, Visit&& visit);

  // Sets slot_ to the key slot of lookups about an object, or a subject.
  void about_object(std::string_view type, std::string_view id);
  void about_subject(const core::SubjectKey& subject);

  core::TupleReader& inner_;
  std::string key_;
  std::string name_;  // the object or subject key_ is about
  uint32 slot_ = 0;
  shared_cache::Ticket ticket_;  // taken before a lookup's tuples are read
  std::string payload_;
  core::SharedItems items_;
  // The last point lookup's items: its condition stays valid until the next read.
  core::SharedItems point_;
};

}  // namespace agentauthz::pg
