// roll_document.h — the roll being edited: cells, tempo map, name. Changed only through undo commands.
//
//   fm::ui::RollDocument doc;
//   undo_stack->push(new fm::ui::ReplaceRollCommand(&doc, {roll, tempo, "song.mid"}, tr("Open song.mid")));
//   connect(&doc, &RollDocument::changed, ...);   // show doc.roll()
//
// Thread-safety: GUI thread only.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <vector>

#include "core/midi_roll.h"
#include "core/roll.h"

namespace fm::ui {

struct RollState {
    Roll roll{128};                     // 128 x W; a multi-track roll: its tracks stacked, tracks x 128 rows (core/track_rolls.h)
    std::vector<TempoChange> tempo;     // from the imported file; empty: the transport's tempo
    QString name;                       // shown in the title ("untitled" when empty)
    QStringList tracks;                 // a multi-track roll's track names, one per 128 rows; empty: one track
};

class RollDocument : public QObject {
    Q_OBJECT
public:
    explicit RollDocument(QObject* parent = nullptr) : QObject(parent) {}

    const RollState& state() const { return state_; }
    const Roll& roll() const { return state_.roll; }
    const std::vector<TempoChange>& tempo() const { return state_.tempo; }
    QString name() const { return state_.name; }
    const QStringList& tracks() const { return state_.tracks; }
    double firstBpm(double fallback = 120.0) const { return state_.tempo.empty() ? fallback : state_.tempo.front().bpm(); }

    void setState(RollState state);   // for undo commands: every edit goes through the undo stack

Q_SIGNALS:
    void changed();

private:
    RollState state_;
};

}  // namespace fm::ui
