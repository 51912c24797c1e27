#include "ui/track_list.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QLabel>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace fm::ui {

TrackList::TrackList(QWidget* parent) : QWidget(parent) {
    auto* column = new QVBoxLayout(this);
    grid_ = new QGridLayout;
    grid_->setHorizontalSpacing(6);
    column->addLayout(grid_);
    empty_ = new QLabel(tr("One track: a multi-track model's tracks show here"), this);
    empty_->setWordWrap(true);
    column->addWidget(empty_);
    column->addStretch(1);
    rebuild();
}

QColor TrackList::colourOf(int track) {
    // Away from the velocity colours (green to red) the edited track is drawn in.
    static const QColor palette[] = {QColor(235, 110, 215), QColor(80, 215, 235), QColor(110, 140, 255), QColor(190, 150, 255),
                                     QColor(225, 225, 235), QColor(150, 110, 190), QColor(60, 170, 190), QColor(240, 170, 230)};
    return palette[size_t(track) % (sizeof(palette) / sizeof(palette[0]))];
}

QStringList TrackList::names() const {
    QStringList out;
    for (const TrackLane& l : lanes_) out << l.name;
    return out;
}

void TrackList::setTracks(const QStringList& names) {
    if (names == this->names()) return;
    lanes_.clear();
    for (int k = 0; k < names.size(); ++k) {
        TrackLane l;
        l.name = names[k], l.colour = colourOf(k), l.keep = k == 0 && names.size() > 1;
        lanes_.push_back(l);
    }
    active_ = std::max(0, int(names.size()) - 1);
    rebuild();
    Q_EMIT viewChanged();
    Q_EMIT soundChanged();
    Q_EMIT keepChanged();
}

void TrackList::setActive(int track) {
    if (track < 0 || track >= count() || track == active_) return;
    active_ = track;
    lanes_[size_t(track)].shown = true;   // the track being edited is always in sight
    refresh();
    Q_EMIT viewChanged();
}

bool TrackList::setFlag(int track, bool TrackLane::*flag, bool on) {
    if (track < 0 || track >= count() || lanes_[size_t(track)].*flag == on) return false;
    lanes_[size_t(track)].*flag = on;
    refresh();
    return true;
}

void TrackList::setShown(int track, bool on) {
    if (track == active_ && !on) return;   // the edited track stays in sight
    if (setFlag(track, &TrackLane::shown, on)) Q_EMIT viewChanged();
}

void TrackList::setMuted(int track, bool on) {
    if (setFlag(track, &TrackLane::muted, on)) Q_EMIT soundChanged();
}

void TrackList::setSolo(int track, bool on) {
    if (setFlag(track, &TrackLane::solo, on)) Q_EMIT soundChanged();
}

void TrackList::setKeep(int track, bool on) {
    if (setFlag(track, &TrackLane::keep, on)) Q_EMIT keepChanged();
}

std::vector<int> TrackList::audibleTracks() const {
    const bool any_solo = std::any_of(lanes_.begin(), lanes_.end(), [](const TrackLane& l) { return l.solo; });
    std::vector<int> out;
    for (int k = 0; k < count(); ++k)
        if (any_solo ? lanes_[size_t(k)].solo : !lanes_[size_t(k)].muted) out.push_back(k);
    return out;
}

std::vector<int> TrackList::keptTracks() const {
    std::vector<int> out;
    for (int k = 0; k < count(); ++k)
        if (lanes_[size_t(k)].keep) out.push_back(k);
    return out;
}

std::vector<int> TrackList::shownTracks() const {
    std::vector<int> out;
    for (int k = 0; k < count(); ++k)
        if (lanes_[size_t(k)].shown) out.push_back(k);
    return out;
}

void TrackList::rebuild() {
    rows_.clear();
    while (QLayoutItem* item = grid_->takeAt(0)) {
        if (QWidget* w = item->widget()) w->hide(), w->deleteLater();   // rebuild may run from one of their signals
        delete item;
    }
    empty_->setVisible(lanes_.size() < 2);
    if (lanes_.size() < 2) return;
    const QString headers[] = {tr("Track (edited)"), tr("Show"), tr("M"), tr("S"), tr("Keep")};
    for (int c = 0; c < 5; ++c) grid_->addWidget(new QLabel(headers[c], this), 0, c);
    for (int k = 0; k < count(); ++k) {
        const TrackLane& l = lanes_[size_t(k)];
        const QString n = QString::number(k);
        auto* active = new QRadioButton(l.name, this);
        active->setObjectName(QStringLiteral("trackActive") + n);
        active->setAutoExclusive(false);
        active->setToolTip(tr("Edit this track in the piano roll; the shown others are drawn behind it in their colours"));
        connect(active, &QRadioButton::clicked, this, [this, k] {
            setActive(k);
            refresh();   // a click on the active track's button would uncheck it
        });
        auto* shown = new QCheckBox(this);
        shown->setObjectName(QStringLiteral("trackShow") + n);
        shown->setToolTip(tr("Draw this track in the roll"));
        connect(shown, &QCheckBox::toggled, this, [this, k](bool on) { setShown(k, on); });
        auto tool = [this, &n](const QString& text, const char* name, bool on, const QString& tip) {
            auto* b = new QToolButton(this);
            b->setObjectName(QString::fromLatin1(name) + n);
            b->setText(text), b->setCheckable(true), b->setChecked(on), b->setToolTip(tip);
            return b;
        };
        QToolButton* mute = tool(tr("M"), "trackMute", false, tr("Mute: not played, rendered or exported"));
        connect(mute, &QToolButton::toggled, this, [this, k](bool on) { setMuted(k, on); });
        QToolButton* solo = tool(tr("S"), "trackSolo", false, tr("Solo: only the soloed tracks play, render and export"));
        connect(solo, &QToolButton::toggled, this, [this, k](bool on) { setSolo(k, on); });
        auto* keep = new QCheckBox(this);
        keep->setObjectName(QStringLiteral("trackKeep") + n);
        keep->setToolTip(tr("Generate leaves this track as it is; the model writes the tracks without Keep"));
        connect(keep, &QCheckBox::toggled, this, [this, k](bool on) { setKeep(k, on); });
        grid_->addWidget(active, k + 1, 0);
        grid_->addWidget(shown, k + 1, 1);
        grid_->addWidget(mute, k + 1, 2);
        grid_->addWidget(solo, k + 1, 3);
        grid_->addWidget(keep, k + 1, 4);
        rows_.push_back({active, shown, mute, solo, keep});
    }
    refresh();
}

// The rows' widgets show the lanes (signals blocked: this is no user's change).
void TrackList::refresh() {
    for (size_t k = 0; k < rows_.size() && k < lanes_.size(); ++k) {
        const Row& r = rows_[k];
        const TrackLane& l = lanes_[k];
        const bool is_active = int(k) == active_;
        const QSignalBlocker b0(r.active), b1(r.shown), b2(r.mute), b3(r.solo), b4(r.keep);
        r.active->setChecked(is_active);
        r.active->setStyleSheet(QStringLiteral("QRadioButton { color: %1; font-weight: %2; }").arg(l.colour.name()).arg(is_active ? 600 : 400));
        r.shown->setChecked(l.shown);
        r.shown->setEnabled(!is_active);
        r.mute->setChecked(l.muted);
        r.solo->setChecked(l.solo);
        r.keep->setChecked(l.keep);
    }
}

}  // namespace fm::ui
