#include "ui/velocity_lane.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "core/roll_image.h"
#include "ui/piano_roll_view.h"

namespace fm::ui {

namespace {

constexpr int kLaneHeight = 72;
constexpr int kMargin = 4;   // px above the loudest bar and below the softest
const QColor kLaneBackground(30, 30, 34);
const QColor kLaneGuide(60, 60, 68);
const QColor kLaneLabel(150, 150, 158);
const QColor kSelectedEdge(70, 200, 255);   // the roll's selection colour

}  // namespace

VelocityLane::VelocityLane(PianoRollView* view, QWidget* parent) : QWidget(parent), view_(view) {
    setObjectName(QStringLiteral("velocityLane"));
    setToolTip(tr("Velocity: drag a bar to set it; selected notes scale together"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(view_, &PianoRollView::viewChanged, this, qOverload<>(&QWidget::update));
    connect(view_, &PianoRollView::notesSelected, this, qOverload<>(&QWidget::update));
}

QSize VelocityLane::sizeHint() const { return QSize(400, kLaneHeight); }
QSize VelocityLane::minimumSizeHint() const { return QSize(100, kLaneHeight); }

double VelocityLane::barX(int step) const { return view_->mapper().stepX(step); }   // the roll's own mapping

double VelocityLane::barWidth() const { return std::clamp(view_->stepWidth() * 0.6, 2.0, 8.0); }

int VelocityLane::velocityAt(int y) const {
    const double span = std::max(1, height() - 2 * kMargin);
    return std::clamp(int(std::lround((height() - kMargin - y) / span * 127.0)), 1, 127);
}

QPoint VelocityLane::barPoint(int note_index, int velocity) const {
    const auto& notes = view_->notes();
    if (note_index < 0 || size_t(note_index) >= notes.size()) return QPoint(-1, -1);
    const double span = std::max(1, height() - 2 * kMargin);
    const double x = barX(notes[size_t(note_index)].start) + barWidth() / 2;
    return QPoint(int(std::floor(x)), int(std::lround(height() - kMargin - span * velocity / 127.0)));
}

int VelocityLane::noteAt(const QPoint& pos) const {
    const auto& notes = view_->notes();
    const auto& sel = view_->selectedIndices();
    const double w = barWidth();
    int best = -1;
    double best_d = 1e9;
    for (size_t i = 0; i < notes.size(); ++i) {
        const double x0 = barX(notes[i].start), x1 = x0 + w;
        if (pos.x() < x0 - 2 || pos.x() > x1 + 2) continue;
        double d = std::abs(pos.x() - (x0 + x1) / 2);
        if (std::binary_search(sel.begin(), sel.end(), int(i))) d -= 100;   // a selected note wins a tie
        if (d < best_d) best_d = d, best = int(i);
    }
    return best;
}

void VelocityLane::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), kLaneBackground);
    const double left = view_->rollLeftX();
    p.setPen(kLaneLabel);
    QFont f = p.font();
    f.setPixelSize(10);
    p.setFont(f);
    p.drawText(QRectF(0, 0, left - 4, height()), Qt::AlignRight | Qt::AlignVCenter, tr("vel"));
    p.fillRect(QRectF(left, kMargin + (height() - 2 * kMargin) / 2.0, width() - left, 1), kLaneGuide);   // velocity 64
    p.setClipRect(QRectF(left, 0, width() - left, height()));
    const auto& notes = view_->notes();
    const auto& sel = view_->selectedIndices();
    const double w = barWidth(), bottom = height() - kMargin, span = std::max(1, height() - 2 * kMargin);
    for (size_t i = 0; i < notes.size(); ++i) {
        int v = notes[i].velocity;
        if (drag_anchor_ >= 0) {
            const auto it = std::find(drag_indices_.begin(), drag_indices_.end(), int(i));
            if (it != drag_indices_.end()) v = drag_to_[size_t(it - drag_indices_.begin())];
        }
        const double x = barX(notes[i].start);
        if (x + w < left || x > width()) continue;
        const double top = bottom - span * v / 127.0;
        const Rgb c = cell_colour(velocity_to_value(v));
        const QRectF bar(x, top, w, bottom - top);
        p.fillRect(bar, QColor(c[0], c[1], c[2]));
        if (std::binary_search(sel.begin(), sel.end(), int(i))) {
            p.setPen(QPen(kSelectedEdge, 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(bar.adjusted(-1, -1, 1, 0));
        }
    }
}

void VelocityLane::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || !view_->editable()) return;
    const int hit = noteAt(e->position().toPoint());
    if (hit < 0) return;
    const auto& sel = view_->selectedIndices();
    if (std::binary_search(sel.begin(), sel.end(), hit)) {
        drag_indices_ = sel;
    } else {
        view_->selectNotes({view_->notes()[size_t(hit)]});
        drag_indices_ = {hit};
    }
    drag_anchor_ = int(std::find(drag_indices_.begin(), drag_indices_.end(), hit) - drag_indices_.begin());
    drag_from_.clear();
    for (int i : drag_indices_) drag_from_.push_back(view_->notes()[size_t(i)].velocity);
    drag_to_ = drag_from_;
    mouseMoveEvent(e);
}

void VelocityLane::mouseMoveEvent(QMouseEvent* e) {
    if (drag_anchor_ < 0) return;
    const int v = velocityAt(int(std::lround(e->position().y())));
    const double ratio = double(v) / std::max(1, drag_from_[size_t(drag_anchor_)]);
    for (size_t i = 0; i < drag_from_.size(); ++i)
        drag_to_[i] = int(i) == drag_anchor_ ? v : std::clamp(int(std::lround(drag_from_[i] * ratio)), 1, 127);
    update();
}

void VelocityLane::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || drag_anchor_ < 0) return;
    const std::vector<int> indices = drag_indices_, velocities = drag_to_;
    view_->setPencilVelocity(velocities[size_t(drag_anchor_)]);   // the last velocity used
    drag_anchor_ = -1;
    if (velocities != drag_from_) view_->setNoteVelocities(indices, velocities, tr("Set velocity"));
    update();
}

}  // namespace fm::ui
