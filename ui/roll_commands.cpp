#include "ui/roll_commands.h"

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

}  // namespace fm::ui
