// Editing a roll as notes: what is under a cell and in a rectangle, moves and resizes kept inside the roll, the
// re-strike rule on the result, unknown cells kept, the clipboard, and an edited roll through a .mid file.
#include <gtest/gtest.h>

#include "core/midi_roll.h"
#include "core/note_edit.h"
#include "core/notes.h"
#include "support/test_support.h"

namespace {

std::vector<fm::StepNote> motif() {   // C4 E4 G4 and a high C, 4 steps each, the last two struck together
    return {{60, 0, 4, 100}, {64, 4, 8, 90}, {67, 8, 12, 80}, {72, 8, 16, 70}};
}

}  // namespace

TEST(NoteEditing, FindsTheNoteUnderACellAndTheNotesInARectangle) {
    const auto notes = fm::roll_to_notes(fm::notes_to_roll(motif(), 32));
    ASSERT_EQ(notes.size(), 4u);
    EXPECT_EQ(notes[size_t(fm::note_at(notes, 64, 7))].start, 4);
    EXPECT_EQ(fm::note_at(notes, 64, 8), -1);   // past its end
    EXPECT_EQ(fm::note_at(notes, 61, 0), -1);
    // Steps 3..8 and pitches 60..67 touch the C (its last step), the E and the G; not the high C.
    const auto in = fm::pick(notes, fm::notes_in_rect(notes, 8, 3, 67, 60));
    ASSERT_EQ(in.size(), 3u);
    for (const auto& n : in) EXPECT_NE(n.pitch, 72);
    EXPECT_EQ(fm::find_notes(notes, {{72, 8, 0, 0}, {50, 0, 0, 0}}), std::vector<int>{int(notes.size()) - 1});
}

TEST(NoteEditing, MovesAndResizesStayInsideTheRollAndKeepTheGroupsShape) {
    const auto m = motif();
    const auto right = fm::moved(m, 20, 0, 32);   // the group ends at 16: at most 16 further
    EXPECT_EQ(right.front().start, 16);
    EXPECT_EQ(right.back().end, 32);
    const auto up = fm::moved(m, -5, 100, 32);    // starts at 0 already; the high C can rise to 127
    EXPECT_EQ(up.front().start, 0);
    EXPECT_EQ(up.front().pitch, 60 + 55);
    EXPECT_EQ(up.back().pitch, 127);
    const auto longer = fm::resized(m, 30, 32);
    for (const auto& n : longer) EXPECT_EQ(n.end, 32);
    const auto shorter = fm::resized(m, -10, 32, 2);
    for (size_t i = 0; i < m.size(); ++i) EXPECT_EQ(shorter[i].end, m[i].start + 2);
    EXPECT_EQ(fm::snap_down(13, 4), 12);
    EXPECT_EQ(fm::snap_down(-1, 4), -4);
    EXPECT_EQ(fm::snap_down(13, 1), 13);
}

TEST(NoteEditing, ReplacingNotesAppliesTheRestrikeRuleAndKeepsUnknownCells) {
    fm::Roll base = fm::notes_to_roll({{60, 0, 4, 100}}, 16);
    for (int t = 12; t < 16; ++t) base.at(40, t) = fm::kUnknown;
    // A second C4 struck where the first ends: the first gives up its last step, and the two stay two notes.
    const fm::Roll after = fm::replace_notes(base, {}, {{60, 4, 8, 100}});
    const auto notes = fm::roll_to_notes(after);
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0], (fm::StepNote{60, 0, 3, 100}));
    EXPECT_EQ(notes[1], (fm::StepNote{60, 4, 8, 100}));
    EXPECT_EQ(after.at(40, 12), fm::kUnknown);   // untouched unknown cells stay unknown
    // Removing the first (index 0) leaves the second alone, at full length.
    const auto one = fm::roll_to_notes(fm::replace_notes(after, {0}, {}));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0], (fm::StepNote{60, 4, 8, 100}));
    // Notes that fall off the roll are cut to it; those wholly outside are dropped.
    const auto cut = fm::roll_to_notes(fm::replace_notes(fm::Roll(16), {}, {{50, 14, 20, 60}, {51, 16, 18, 60}, {128, 0, 2, 60}}));
    ASSERT_EQ(cut.size(), 1u);
    EXPECT_EQ(cut[0], (fm::StepNote{50, 14, 16, 60}));
}

TEST(NoteEditing, TheClipboardPastesTheSameShapeAtAnotherStep) {
    const auto clip = fm::to_clipboard(fm::moved(motif(), 3, 0, 64));
    EXPECT_EQ(clip.front().start, 0);
    const auto pasted = fm::from_clipboard(clip, 32);
    const auto m = motif();
    for (size_t i = 0; i < m.size(); ++i) {
        EXPECT_EQ(pasted[i].start, m[i].start + 32);
        EXPECT_EQ(pasted[i].end, m[i].end + 32);
        EXPECT_EQ(pasted[i].pitch, m[i].pitch);
        EXPECT_EQ(pasted[i].velocity, m[i].velocity);
    }
}

TEST(NoteEditing, AnEditedRollExportedAndReadBackHasTheSameNotes) {
    fm::Roll roll = fm::notes_to_roll(motif(), 64);
    auto notes = fm::roll_to_notes(roll);
    // Copy the motif one bar on, then a one-step E4 just before the copied E4, at its velocity: the rule keeps the
    // two touching and tells them apart by a velocity nudged by one.
    roll = fm::replace_notes(roll, {}, fm::from_clipboard(fm::to_clipboard(notes), 16));
    roll = fm::replace_notes(roll, {}, {{64, 19, 20, 90}});
    const auto edited = fm::roll_to_notes(roll);
    int touching = 0;
    for (size_t i = 0; i + 1 < edited.size(); ++i)
        touching += edited[i].pitch == edited[i + 1].pitch && edited[i].end == edited[i + 1].start;
    EXPECT_GE(touching, 1) << "the re-strike should leave two touching E4s";

    const std::string path = fmtest::temp_dir("edit") + "/edited.mid";
    fm::save_midi(path, roll);
    const fm::MidiRoll back = fm::load_midi(path);
    EXPECT_EQ(fm::roll_to_notes(fm::pad(back.roll, roll.width)), edited);
}
