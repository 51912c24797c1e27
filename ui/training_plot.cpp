#include "ui/training_plot.h"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>
#include <limits>

namespace fm::ui {

// The chart is given to QChartView's constructor: the parent-only constructor makes a default chart that a later
// setChart() releases without deleting (LeakSanitizer found it: one chart per plot).
TrainingPlot::TrainingPlot(const QString& title, QWidget* parent) : QChartView(new QChart, parent), title_(title) {
    QChart* chart = this->chart();   // owned by the view
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    series_ = new QLineSeries(chart);
    chart->addSeries(series_);
    x_ = new QValueAxis(chart);
    x_->setTitleText(tr("step"));
    x_->setLabelFormat(QStringLiteral("%g"));
    y_ = new QValueAxis(chart);
    y_->setLabelFormat(QStringLiteral("%.3f"));
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    series_->attachAxis(x_);
    series_->attachAxis(y_);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(240, 160);
    clear();
}

void TrainingPlot::addPoint(double step, double value) {
    if (!std::isfinite(step) || !std::isfinite(value)) return;
    if (series_->count() == 0) x0_ = x1_ = step, y0_ = y1_ = value;
    x0_ = std::min(x0_, step), x1_ = std::max(x1_, step);
    y0_ = std::min(y0_, value), y1_ = std::max(y1_, value);
    series_->append(step, value);
    fitAxes();
}

void TrainingPlot::setPoints(const QList<QPointF>& points) {
    clear();
    QList<QPointF> kept;
    for (const QPointF& q : points) {
        if (!std::isfinite(q.x()) || !std::isfinite(q.y())) continue;
        if (kept.isEmpty()) x0_ = x1_ = q.x(), y0_ = y1_ = q.y();
        x0_ = std::min(x0_, q.x()), x1_ = std::max(x1_, q.x());
        y0_ = std::min(y0_, q.y()), y1_ = std::max(y1_, q.y());
        kept << q;
    }
    if (kept.isEmpty()) return;
    series_->replace(kept);
    fitAxes();
}

void TrainingPlot::clear() {
    series_->clear();
    x_->setRange(0, 1);
    y_->setRange(0, 1);
    updateTitle();
}

int TrainingPlot::pointCount() const { return int(series_->count()); }

double TrainingPlot::lastValue() const {
    return series_->count() ? series_->at(series_->count() - 1).y() : std::numeric_limits<double>::quiet_NaN();
}

void TrainingPlot::fitAxes() {
    // Round ends and ticks (a single point gets a span of its own, not five labels of one value).
    x_->setRange(x0_, std::max(x1_, x0_ + 10));
    x_->applyNiceNumbers();
    const double pad = std::max((y1_ - y0_) * 0.05, 0.01);
    y_->setRange(std::max(0.0, y0_ - pad), y1_ + pad);
    y_->applyNiceNumbers();
    updateTitle();
}

void TrainingPlot::updateTitle() {
    chart()->setTitle(series_->count() ? QStringLiteral("%1: %2").arg(title_).arg(lastValue(), 0, 'f', 4) : title_);
}

}  // namespace fm::ui
