#include "pg/engine/shared_reader.h"

#include <algorithm>

#include "core/lookup_items.h"
#include "pg/engine/key_versions.h"
#include "pg/engine/scan_session.h"
#include "pg/engine/shared_cache.h"
#include "pg/engine/visible_state.h"

namespace agentauthz::pg {

namespace {

// A whole object's item: the relation, a mark, then the subject's item.
void add_tuple_item(core::SharedItems* items, std::string_view relation,
                    const core::SubjectKey& subject) {
  items->append(relation);
  items->append(std::string_view(&core::kRelationMark, 1));
  core::add_subject_item([&](std::initializer_list<std::string_view> parts) { items->add(parts); },
                         subject);
}

// Adds a subject's item.
void add_subject(core::SharedItems* items, const core::SubjectKey& subject) {
  core::add_subject_item([&](std::initializer_list<std::string_view> parts) { items->add(parts); },
                         subject);
}

}  // namespace

namespace {

bool whole(const core::SharedItems& items) { return items.complete(); }

}  // namespace

// A write of a row names its object and its subject as stored: `type:id`,
// `type:id#relation` (pg/engine/key_versions.h).
void SharedReader::about_object(std::string_view type, std::string_view id) {
  name_.assign(type).append(1, ':').append(id);
  slot_ = key_versions::object_slot(name_);
}

void SharedReader::about_subject(const core::SubjectKey& subject) {
  name_.assign(subject.type).append(1, ':').append(subject.id);
  if (subject.is_userset()) name_.append(1, '#').append(subject.relation);
  slot_ = key_versions::subject_slot(name_);
}

template <typename Usable>
bool SharedReader::shared_hit(core::SharedItems* items, Usable&& usable) {
  TimestampTz valid_until = 0;
  std::string_view payload;
  if (!shared_cache::lookup(scans_shared_view(), slot_, key_, &payload, &valid_until) ||
      !items->decode(payload) || !usable(*items))
    return false;
  // What this statement keeps holds no longer than what it read.
  note_expiry(valid_until);
  return true;
}

void SharedReader::share(const core::SharedItems& items) {
  items.encode(&payload_);
  // A point lookup that found nothing still holds one fact.
  shared_cache::insert(scans_shared_view(), ticket_, key_, payload_,
                       std::max<size_t>(items.size(), 1), view_valid_until());
}

template <typename Usable, typename Fill>
void SharedReader::shared_items(core::SharedItems* items, Usable&& usable, Fill&& fill) {
  if (shared_hit(items, usable)) return;
  ticket_ = shared_cache::ticket(scans_shared_view(), slot_);
  items->clear();
  fill(items);
  share(*items);
}

template <typename Read, typename Add, typename VisitItem, typename Visit>
bool SharedReader::collect_or_stream(Read&& read, Add&& add, VisitItem&& visit_item,
                                     Visit&& visit) {
  ticket_ = shared_cache::ticket(scans_shared_view(), slot_);
  items_.clear();
  size_t most = shared_cache::max_payload_bytes();
  bool streaming = false;
  bool stopped = false;
  read([&](const auto& key) {
    if (streaming) {
      stopped = !visit(key);
      return !stopped;
    }
    add(key);
    if (items_.bytes() <= most) return true;
    // Too long to share: what was collected first, then the rest as read.
    streaming = true;
    for (size_t i = 0; i < items_.size() && !stopped; ++i) stopped = !visit_item(items_.at(i));
    items_.release();
    return !stopped;
  });
  if (streaming) return true;
  share(items_);
  return false;
}

bool SharedReader::contains(const core::ObjectKey& object, std::string_view relation,
                            const core::SubjectKey& subject, core::TupleCondition* condition) {
  if (!scans_shared_view().usable) return inner_.contains(object, relation, subject, condition);
  core::build_lookup_key(
      &key_, 'c', {object.type, object.id, relation, subject.type, subject.id, subject.relation});
  about_object(object.type, object.id);
  shared_items(
      &point_, [](const core::SharedItems&) { return true; },
      [&](core::SharedItems* items) {
        core::TupleCondition found;
        if (!inner_.contains(object, relation, subject, &found)) return;
        std::string_view mark = found.empty() ? std::string_view() : "\x1e";
        items->add({mark, found.name, mark, found.context});
      });
  if (point_.size() == 0) return false;
  core::TupleCondition found;
  core::split_condition(point_.at(0), &found);
  if (condition != nullptr) *condition = found;
  return true;
}

// Visits the subjects of (object, relation), from the shared cache when it may.
void SharedReader::read_subjects(const core::ObjectKey& object, std::string_view relation,
                                 core::SubjectFilter filter, core::SubjectVisitor visit) {
  if (!scans_shared_view().usable) return inner_.read_subjects(object, relation, filter, visit);
  core::build_lookup_key(&key_, filter == core::SubjectFilter::All ? 's' : 'u',
                         {object.type, object.id, relation});
  about_object(object.type, object.id);
  auto visit_item = [&](std::string_view item) { return visit(core::subject_item(item)); };
  if (!shared_hit(&items_, whole) &&
      collect_or_stream(
          [&](auto&& each) {
            inner_.read_subjects(object, relation, filter,
                                 [&](const core::SubjectKey& subject) { return each(subject); });
          },
          [&](const core::SubjectKey& subject) { add_subject(&items_, subject); }, visit_item,
          [&](const core::SubjectKey& subject) { return visit(subject); }))
    return;
  for (size_t i = 0; i < items_.size(); ++i)
    if (!visit_item(items_.at(i))) return;
}

// Visits at most `limit` subjects of (object, relation); false when there are more.
bool SharedReader::read_few_subjects(const core::ObjectKey& object, std::string_view relation,
                                     size_t limit, core::SubjectVisitor visit) {
  if (!scans_shared_view().usable) return inner_.read_few_subjects(object, relation, limit, visit);
  // A whole list answers this as well as read_subjects(All).
  core::build_lookup_key(&key_, 's', {object.type, object.id, relation});
  about_object(object.type, object.id);
  shared_items(
      &items_,
      [&](const core::SharedItems& items) {
        return items.complete() || items.more_than() >= limit;
      },
      [&](core::SharedItems* items) {
        bool few =
            inner_.read_few_subjects(object, relation, limit, [&](const core::SubjectKey& subject) {
              add_subject(items, subject);
              return true;
            });
        if (!few) items->set_more_than(limit);
      });
  if (!items_.complete() || items_.size() > limit) return false;
  for (size_t i = 0; i < items_.size(); ++i)
    if (!visit(core::subject_item(items_.at(i)))) break;
  return true;
}

// Visits every tuple of a small object; false when it has more than `limit`.
bool SharedReader::read_object(const core::ObjectKey& object, size_t limit,
                               core::TupleVisitor visit) {
  if (!scans_shared_view().usable) return inner_.read_object(object, limit, visit);
  core::build_lookup_key(&key_, 'b', {object.type, object.id});
  about_object(object.type, object.id);
  shared_items(
      &items_,
      [&](const core::SharedItems& items) {
        return items.complete() || items.more_than() >= limit;
      },
      [&](core::SharedItems* items) {
        bool few = inner_.read_object(
            object, limit, [&](std::string_view relation, const core::SubjectKey& subject) {
              add_tuple_item(items, relation, subject);
              return true;
            });
        if (!few) items->set_more_than(limit);
      });
  if (!items_.complete() || items_.size() > limit) return false;
  for (size_t i = 0; i < items_.size(); ++i) {
    std::string_view item = items_.at(i);
    size_t mark = item.find(core::kRelationMark);
    if (!visit(item.substr(0, mark), core::subject_item(item.substr(mark + 1)))) break;
  }
  return true;
}

// Visits the objects of a type related to `subject`.
void SharedReader::read_objects(const core::SubjectKey& subject, std::string_view relation,
                                std::string_view object_type, core::ObjectVisitor visit) {
  if (!scans_shared_view().usable)
    return inner_.read_objects(subject, relation, object_type, visit);
  core::build_lookup_key(&key_, 'o',
                         {subject.type, subject.id, subject.relation, relation, object_type});
  about_subject(subject);
  auto visit_item = [&](std::string_view item) { return visit(core::object_item(item)); };
  if (!shared_hit(&items_, whole) &&
      collect_or_stream(
          [&](auto&& each) {
            inner_.read_objects(subject, relation, object_type,
                                [&](const core::ObjectKey& object) { return each(object); });
          },
          [&](const core::ObjectKey& object) {
            core::add_object_item(
                [&](std::initializer_list<std::string_view> parts) { items_.add(parts); }, object);
          },
          visit_item, [&](const core::ObjectKey& object) { return visit(object); }))
    return;
  for (size_t i = 0; i < items_.size(); ++i)
    if (!visit_item(items_.at(i))) return;
}

}  // namespace agentauthz::pg
