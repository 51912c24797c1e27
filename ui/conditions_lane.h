// conditions_lane.h — the conditions lane above the piano roll: one cell per bar holding the chord asked for that bar,
// and a row of the conditions that hold for the whole roll (key and scale lock, style, tempo, density, guidance).
//
//   auto* lane = new fm::ui::ConditionsLane(view, parent);   // cells follow the view's bars as it scrolls and zooms
//   lane->setChordText("Am F C G");                         // bar after bar, repeated to the roll's end
//   fm::Conditions c = lane->conditions();                  // what the next generation asks (GenerateParams)
//   lane->showImported(key, chords);                        // an opened file's estimated chords fill the cells
//
// What the lane shows is what is asked: an imported file's chords condition the next generation (inpainting or
// continuation over that file follows its harmony) until they are edited or cleared. A cell is edited by double-click
// (type a symbol: Am, G7, C/E; empty or "-": free) or picked from its context menu (the key's chords). Thread-safety:
// GUI thread only.
#pragma once

#include <QWidget>

#include <vector>

#include "core/harmony.h"
#include "model/conditions.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

namespace fm::ui {

class PianoRollView;

// The strip of bar cells, painted in line with the roll view's bars.
class ChordStrip : public QWidget {
    Q_OBJECT
public:
    ChordStrip(PianoRollView* view, QWidget* parent);
    void setChords(std::vector<Chord> chords, bool imported);   // per bar; root -1 = free
    const std::vector<Chord>& chords() const { return chords_; }
    bool imported() const { return imported_; }
    void setBars(int bars);
    int bars() const { return bars_; }
    void setKey(int key_code) { key_ = key_code; }
    QRect cellRect(int bar) const;                    // where bar `bar`'s cell is drawn (empty when off screen)
    void editBar(int bar);                            // opens the cell's editor (what a double-click does)
    QLineEdit* editor() const { return editor_; }

Q_SIGNALS:
    void chordsEdited();
    void invalidChord(const QString& message);

protected:
    void paintEvent(QPaintEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void contextMenuEvent(QContextMenuEvent* e) override;

private:
    int barAt(const QPoint& p) const;
    Chord chordAt(int bar) const;   // the progression repeats over the bars; free (N.C.) when none is asked
    void setChord(int bar, const Chord& c);
    void commitEditor();

    PianoRollView* view_;
    std::vector<Chord> chords_;
    int bars_ = 8, key_ = -1, editing_ = -1;
    bool imported_ = false;
    QLineEdit* editor_ = nullptr;
};

class ConditionsLane : public QWidget {
    Q_OBJECT
public:
    ConditionsLane(PianoRollView* view, QWidget* parent = nullptr);

    Conditions conditions() const;
    double guidance() const;
    void setBars(int bars);                           // cells for this many bars (the roll's width, or the next one's)
    // Chords typed as a progression: bar after bar from bar 0, repeated over every bar. false (and nothing changes)
    // when a symbol is not a chord; invalidChord says which.
    bool setChordText(const QString& text);
    // An opened file: its estimated chords fill the cells (marked as from the file) and its key is shown beside the key box.
    void showImported(const Key& key, const std::vector<Chord>& chords);
    void clear();                                     // every condition back to "not asked"

    ChordStrip* strip() const { return strip_; }
    QLineEdit* chordEdit() const { return chord_edit_; }
    QComboBox* keyBox() const { return key_; }
    QComboBox* styleBox() const { return style_; }
    QSpinBox* tempoBox() const { return tempo_; }
    QCheckBox* densityBox() const { return density_on_; }
    QSlider* densitySlider() const { return density_; }
    QDoubleSpinBox* guidanceBox() const { return guidance_; }
    QCheckBox* scaleLockBox() const { return scale_lock_; }

Q_SIGNALS:
    void invalidChord(const QString& message);

private:
    void syncChordText();

    ChordStrip* strip_ = nullptr;
    QLineEdit* chord_edit_ = nullptr;
    QComboBox* key_ = nullptr;
    QCheckBox* scale_lock_ = nullptr;
    QLabel* estimated_ = nullptr;
    QComboBox* style_ = nullptr;
    QSpinBox* tempo_ = nullptr;
    QCheckBox* density_on_ = nullptr;
    QSlider* density_ = nullptr;
    QDoubleSpinBox* guidance_ = nullptr;
    QString applied_text_;   // the chord text the strip holds
};

}  // namespace fm::ui
