#include "ui/roll_commands.h"

#include <algorithm>
#include <map>
#include <utility>

namespace fm::ui {

ReplaceRollCommand::ReplaceRollCommand(RollDocument* doc, RollState next, const QString& text)
    : QUndoCommand(text), doc_(doc), before_(doc->state()), after_(std::move(next)) {}

void ReplaceRollCommand::undo() { doc_->setState(before_); }
void ReplaceRollCommand::redo() { doc_->setState(after_); }

FillRegionCommand::FillRegionCommand(RollDocument* doc, std::vector<uint8_t> cells, float value, const QString& text)
    : QUndoCommand(text), doc_(doc), cells_(std::move(cells)), value_(value) {
    const Roll& roll = doc_->roll();
    if (cells_.size() != roll.cells.size()) cells_.assign(roll.cells.size(), 0);
    for (size_t i = 0; i < cells_.size(); ++i)
        if (cells_[i]) before_.push_back(roll.cells[i]);
}

void FillRegionCommand::redo() {
    RollState s = doc_->state();
    if (s.roll.cells.size() != cells_.size()) return;
    for (size_t i = 0; i < cells_.size(); ++i)
        if (cells_[i]) s.roll.cells[i] = value_;
    doc_->setState(std::move(s));
}

void FillRegionCommand::undo() {
    RollState s = doc_->state();
    if (s.roll.cells.size() != cells_.size()) return;
    size_t k = 0;
    for (size_t i = 0; i < cells_.size(); ++i)
        if (cells_[i]) s.roll.cells[i] = before_[k++];
    doc_->setState(std::move(s));
}

EditCellsCommand::EditCellsCommand(RollDocument* doc, const Roll& after, const QString& text, int merge_id)
    : QUndoCommand(text), doc_(doc), merge_id_(merge_id) {
    const Roll& roll = doc_->roll();
    if (after.cells.size() != roll.cells.size()) {
        setObsolete(true);   // another width: not an edit of this document
        return;
    }
    for (size_t i = 0; i < after.cells.size(); ++i)
        if (after.cells[i] != roll.cells[i]) {
            index_.push_back(uint32_t(i));
            before_.push_back(roll.cells[i]);
            after_.push_back(after.cells[i]);
        }
}

void EditCellsCommand::apply(const std::vector<float>& values) {
    RollState s = doc_->state();
    if (!index_.empty() && size_t(index_.back()) >= s.roll.cells.size()) return;
    for (size_t k = 0; k < index_.size(); ++k) s.roll.cells[index_[k]] = values[k];
    doc_->setState(std::move(s));
}

void EditCellsCommand::redo() { apply(after_); }
void EditCellsCommand::undo() { apply(before_); }

bool EditCellsCommand::mergeWith(const QUndoCommand* other) {
    const auto* o = dynamic_cast<const EditCellsCommand*>(other);
    if (o == nullptr || o->merge_id_ != merge_id_ || merge_id_ < 0) return false;
    // before: ours, then the other's for cells only it touched; after: the other's, then ours for cells only we touched.
    std::map<uint32_t, std::pair<float, float>> cells;
    for (size_t k = 0; k < index_.size(); ++k) cells[index_[k]] = {before_[k], after_[k]};
    for (size_t k = 0; k < o->index_.size(); ++k) {
        auto it = cells.find(o->index_[k]);
        if (it == cells.end()) cells[o->index_[k]] = {o->before_[k], o->after_[k]};
        else it->second.second = o->after_[k];
    }
    index_.clear(), before_.clear(), after_.clear();
    for (const auto& [i, v] : cells)
        if (v.first != v.second) index_.push_back(i), before_.push_back(v.first), after_.push_back(v.second);
    return true;
}

}  // namespace fm::ui
