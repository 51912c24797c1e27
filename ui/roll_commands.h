// roll_commands.h — the undoable edits of the roll document.
//
//   undo_stack->push(new fm::ui::ReplaceRollCommand(&doc, next_state, tr("Keep variation 2")));
//
// Thread-safety: GUI thread only.
#pragma once

#include <QString>
#include <QUndoCommand>

#include <cstdint>
#include <vector>

#include "ui/roll_document.h"

namespace fm::ui {

// Replaces the whole document state (new, open, keep a variation, clear): undo restores the previous state.
class ReplaceRollCommand : public QUndoCommand {
public:
    ReplaceRollCommand(RollDocument* doc, RollState next, const QString& text);
    void undo() override;
    void redo() override;

private:
    RollDocument* doc_;
    RollState before_, after_;
};

// Sets the cells of a region to one value (used by "Clear selection": silence in the selected region).
class FillRegionCommand : public QUndoCommand {
public:
    // cells: 128 x W flags (1 = fill) matching the document's roll.
    FillRegionCommand(RollDocument* doc, std::vector<uint8_t> cells, float value, const QString& text);
    void undo() override;
    void redo() override;

private:
    RollDocument* doc_;
    std::vector<uint8_t> cells_;
    std::vector<float> before_;   // the old values of the flagged cells, in order
    float value_;
};

// A note edit (draw, move, resize, delete, paste, velocity): only the cells it changed, before and after, so a long
// editing session keeps little memory. Commands with the same merge id that follow each other on the same notes
// (arrow-key nudges) merge into one undo step.
class EditCellsCommand : public QUndoCommand {
public:
    // `after`: the whole roll after the edit, the document's width.
    EditCellsCommand(RollDocument* doc, const Roll& after, const QString& text, int merge_id = -1);
    void undo() override;
    void redo() override;
    int id() const override { return merge_id_; }
    bool mergeWith(const QUndoCommand* other) override;
    size_t changedCells() const { return index_.size(); }

private:
    void apply(const std::vector<float>& values);
    RollDocument* doc_;
    std::vector<uint32_t> index_;              // changed cells, ascending
    std::vector<float> before_, after_;        // their values
    int merge_id_;
};

}  // namespace fm::ui
