// Multi-track rolls in the studio: the Tracks dock, the view of the active track over the others, what plays and
// exports (Mute, Solo), a multi-track model's requests (Keep), and files imported by the model's roles.
#include <QDockWidget>
#include <QFileInfo>

#include <algorithm>
#include <exception>

#include "core/error.h"
#include "core/harmony.h"
#include "core/track_rolls.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/playback.h"
#include "ui/roll_commands.h"
#include "ui/roll_document.h"
#include "ui/track_list.h"
#include "ui/variation_bar.h"

namespace fm::ui {

namespace {

std::vector<std::string> toStd(const QStringList& names) {
    std::vector<std::string> out;
    for (const QString& n : names) out.push_back(n.toStdString());
    return out;
}

}  // namespace

void MainWindow::createTracks() {
    tracks_ = new TrackList;
    tracks_->setObjectName(QStringLiteral("trackList"));
    auto* dock = new QDockWidget(tr("Tracks"), this);
    dock->setObjectName(QStringLiteral("tracksDock"));
    dock->setWidget(tracks_);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    connect(tracks_, &TrackList::viewChanged, this, [this] {
        view_->clearMask();   // a painted mask belongs to the track it was painted on
        display(shown_);
    });
}

QStringList MainWindow::shownTrackNames() const {
    if (shown_.rows <= kPitches) return {};
    const int n = shown_.rows / kPitches;
    if (doc_->tracks().size() == n) return doc_->tracks();
    if (model_info_.tracks.size() == n) return model_info_.tracks;
    QStringList names;
    for (int k = 0; k < n; ++k) names << tr("Track %1").arg(k + 1);
    return names;
}

std::vector<QRgb> MainWindow::ghostCells(const Roll& stacked) const {
    const int n = stacked.rows / kPitches;
    if (n < 2) return {};
    const size_t per = size_t(kPitches) * size_t(stacked.width);
    std::vector<QRgb> out(per, 0);
    for (int k : tracks_->shownTracks()) {
        if (k == tracks_->active() || k >= n) continue;
        const QRgb colour = TrackList::colourOf(k).rgb();
        for (size_t i = 0; i < per; ++i)
            if (stacked.cells[size_t(k) * per + i] > 0) out[i] = colour;
    }
    return out;
}

void MainWindow::display(const Roll& roll) {
    shown_ = roll;
    if (roll.rows <= kPitches || roll.rows % kPitches != 0) {
        if (doc_->roll().rows <= kPitches) tracks_->setTracks({});   // (a one-track variation of a multi-track roll keeps them)
        view_->setGhostCells({});
        view_->setRoll(roll);
        return;
    }
    tracks_->setTracks(shownTrackNames());
    // Ghosts first: setRoll then redraws only the cells that changed (each with its ghost), where the other order
    // would redraw the whole image twice whenever the ghosts change.
    view_->setGhostCells(ghostCells(roll));
    view_->setRoll(track_of(roll, std::min(tracks_->active(), roll.rows / kPitches - 1)));
}

Roll MainWindow::audibleRoll() const {
    if (shown_.rows <= kPitches) return shown_;
    return flatten_tracks(shown_, tracks_->audibleTracks());
}

int MainWindow::modelRows() const { return kPitches * int(std::max<qsizetype>(1, model_info_.tracks.size())); }

bool MainWindow::fitTracks(GenerateParams* p, const std::vector<uint8_t>& active_mask) {
    const int model_tracks = modelRows() / kPitches;
    if (model_tracks == 1) {   // a one-track model reads a multi-track roll as one
        if (p->mode != GenerateMode::unconditional && p->input.rows > kPitches) p->input = flatten_tracks(p->input);
        return true;
    }
    if (doc_->roll().rows == kPitches) adoptModelTracks();   // a one-track roll (a jam's, say) becomes the last track
    const Roll& doc = doc_->roll();
    if (doc.rows != model_tracks * kPitches || doc_->tracks() != model_info_.tracks) {
        showError(tr("The roll's tracks (%1) are not the model's (%2): open the file again to import it by the model's tracks")
                      .arg(doc_->tracks().isEmpty() ? tr("one") : doc_->tracks().join(QStringLiteral(", ")), model_info_.tracks.join(QStringLiteral(", "))),
                  false);
        return false;
    }
    const std::vector<int> kept = tracks_->keptTracks();
    if (int(kept.size()) == model_tracks) {
        showError(tr("Every track has Keep on: untick Keep on the tracks the model should write (Tracks dock)"), false);
        return false;
    }
    std::vector<int> written;
    for (int k = 0; k < model_tracks; ++k)
        if (std::find(kept.begin(), kept.end(), k) == kept.end()) written.push_back(k);
    const size_t per = size_t(kPitches) * size_t(doc.width);
    p->width = doc.width;
    if (p->mode == GenerateMode::unconditional && kept.empty() && active_mask.empty()) {
        p->input = Roll();   // nothing kept: every track from nothing
        return true;
    }
    p->input = doc;
    if (p->cell_mask.size() == per) {   // a mask painted on the edited track: the same cells of every track
        std::vector<uint8_t> tiled;
        for (int k = 0; k < model_tracks; ++k) tiled.insert(tiled.end(), p->cell_mask.begin(), p->cell_mask.end());
        p->cell_mask = std::move(tiled);
    }
    try {
        write_tracks(*p, model_tracks, written);   // what the mode regenerates, in the written tracks alone
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()), false);
        return false;
    }
    if (active_mask.size() == per)   // fill around: the edited track's selected notes stay
        for (size_t i = 0; i < per; ++i) p->cell_mask[size_t(tracks_->active()) * per + i] &= active_mask[i];
    // The written tracks follow the kept ones' key, unless a key is asked (as generate --keep_tracks does).
    if (p->conditions.key < 0 && !kept.empty()) {
        const Roll kept_roll = flatten_tracks(doc, kept);
        if (count_notes(kept_roll) > 0) p->conditions.key = key_code(estimate_key(kept_roll));
    }
    return true;
}

void MainWindow::adoptModelTracks() {
    const int n = int(model_info_.tracks.size());
    if (n < 2 || doc_->tracks() == model_info_.tracks) return;
    const Roll& one = doc_->roll();
    Roll stacked(one.width, 0.0f, n * kPitches);
    RollState next = doc_->state();
    if (one.rows == kPitches) {
        set_track(stacked, n - 1, one);   // the roll so far: the model's last track (the accompaniment, by convention)
    } else {
        set_track(stacked, n - 1, flatten_tracks(one));
    }
    next.roll = std::move(stacked);
    next.tracks = model_info_.tracks;
    const bool empty = count_notes(one) == 0;
    undo_->push(new ReplaceRollCommand(doc_, std::move(next), tr("Tracks of the model")));
    variations_->showCurrentRoll();
    if (!empty)
        showMessage(tr("The model writes %1 tracks: the roll's notes are now its \"%2\" track (Ctrl+Z undoes; open a file "
                       "again to import it by track names)")
                        .arg(n).arg(model_info_.tracks.back()));
}

bool MainWindow::openTracks(const QString& path, MidiRoll* merged) {
    const QStringList& roles = model_info_.tracks;
    TrackRolls t;
    try {
        const SmfFile smf = read_smf_file(path.toStdString());
        t = midi_to_tracks(smf, mapping_by_name(toStd(roles)), {}, merged);
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()), true);
        return false;
    }
    if (merged->roll.width <= 0) {
        showError(tr("%1: the file has no notes").arg(path), true);
        return false;
    }
    const int width = (merged->roll.width + 3) / 4 * 4;
    Roll stacked(width, 0.0f, int(roles.size()) * kPitches);
    int found = 0;
    for (int k = 0; k < roles.size(); ++k) {
        const int src = t.find(roles[k].toStdString());
        if (src < 0) continue;
        set_track(stacked, k, pad(t.tracks[size_t(src)], width));
        found += count_notes(t.tracks[size_t(src)]) > 0;
    }
    QString how;
    if (found == 0) {   // no track of the roles' names: the whole file is the last track (the accompaniment)
        set_track(stacked, int(roles.size()) - 1, pad(merged->roll, width));
        how = tr("no track named %1: all its notes are the \"%2\" track").arg(roles.join(QStringLiteral(", ")), roles.back());
    } else {
        how = tr("tracks %1 by name").arg(roles.join(QStringLiteral(", ")));
    }
    playback_->stop();
    RollState next;
    next.roll = std::move(stacked);
    next.tempo = merged->tempo;
    next.name = QFileInfo(path).fileName();
    next.tracks = roles;
    undo_->push(new ReplaceRollCommand(doc_, std::move(next), tr("Open %1").arg(QFileInfo(path).fileName())));
    showMessage(tr("Opened %1: %2").arg(QFileInfo(path).fileName(), how));
    return true;
}

bool MainWindow::exportTracks(const QString& path) {
    try {
        TrackRolls all = split_tracks(shown_, toStd(shownTrackNames()));
        TrackRolls out;
        for (int k : tracks_->audibleTracks()) {
            Roll r = all.tracks[size_t(k)];
            for (float& c : r.cells) c = std::max(c, 0.0f);   // unknown cells (a cancelled generation) are silence
            out.tracks.push_back(std::move(r));
            out.info.push_back(all.info[size_t(k)]);
        }
        out.tempo = exportTempo();
        if (out.tracks.empty()) throw Error("every track is muted: nothing to export");
        save_midi_tracks(path.toStdString(), out);
        int notes = 0;
        for (const Roll& r : out.tracks) notes += count_notes(r);
        showMessage(tr("Exported %1 (%2 tracks, %3 notes%4)")
                        .arg(QFileInfo(path).fileName())
                        .arg(out.tracks.size())
                        .arg(notes)
                        .arg(int(out.tracks.size()) < int(all.tracks.size()) ? tr("; muted tracks left out") : QString()));
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()), true);
        return false;
    }
    return true;
}

}  // namespace fm::ui
