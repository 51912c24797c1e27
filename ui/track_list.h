// track_list.h — the Tracks dock of a multi-track roll: one row per track with its colour, which track the piano
// roll edits (the active one; the others are drawn behind it in their colours), and Show, Mute, Solo and Keep.
//
//   auto* tracks = new fm::ui::TrackList;
//   tracks->setTracks({"melody", "bridge", "piano"});          // the active track is the last; Keep is on for the first
//   tracks->audibleTracks();                                   // {0, 2} with bridge muted, {1} with bridge soloed
//   connect(tracks, &TrackList::viewChanged, ...);             // active or shown changed: redraw
//
// Show and the active track change what the roll shows; Mute and Solo what plays, renders and exports (as in a DAW:
// with any track soloed only the soloed ones sound); Keep what a generation leaves alone (the model writes the tracks
// without it). None of these is an edit of the document, so they are not on the undo stack.
// Thread-safety: GUI thread only.
#pragma once

#include <QColor>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QGridLayout;
class QLabel;
class QRadioButton;
class QToolButton;

namespace fm::ui {

struct TrackLane {
    QString name;
    QColor colour;
    bool shown = true, muted = false, solo = false, keep = false;
};

class TrackList : public QWidget {
    Q_OBJECT
public:
    explicit TrackList(QWidget* parent = nullptr);

    // New tracks: all shown and audible; Keep on for the first of several (the melody, by the models' convention);
    // the last one active. Names equal to the current ones (same order) keep their settings.
    void setTracks(const QStringList& names);
    int count() const { return int(lanes_.size()); }
    QStringList names() const;
    const std::vector<TrackLane>& lanes() const { return lanes_; }
    int active() const { return active_; }
    void setActive(int track);
    void setShown(int track, bool on);
    void setMuted(int track, bool on);
    void setSolo(int track, bool on);
    void setKeep(int track, bool on);

    std::vector<int> audibleTracks() const;   // solo'd ones if any, else those not muted
    std::vector<int> keptTracks() const;
    std::vector<int> shownTracks() const;

    static QColor colourOf(int track);        // a fixed palette, so a track keeps its colour between files

Q_SIGNALS:
    void viewChanged();    // the active track or a Show box changed
    void soundChanged();   // Mute or Solo changed
    void keepChanged();

private:
    struct Row {
        QRadioButton* active;
        QCheckBox* shown;
        QToolButton *mute, *solo;
        QCheckBox* keep;
    };
    bool setFlag(int track, bool TrackLane::*flag, bool on);   // false: no such track, or already so
    void rebuild();   // the rows, for a new set of tracks
    void refresh();   // the rows' states, from lanes_
    std::vector<Row> rows_;
    std::vector<TrackLane> lanes_;
    int active_ = 0;
    QGridLayout* grid_ = nullptr;
    QLabel* empty_ = nullptr;
};

}  // namespace fm::ui
