// training_plot.h — one curve of a training run (loss or validation bits/cell against the step), a Qt Charts view
// whose axes follow the data.
//
//   auto* plot = new fm::ui::TrainingPlot(tr("loss (bits/cell)"));
//   plot->addPoint(step, loss);        // non-finite values are skipped
//   plot->clear();                     // a new run
//
//   plot->setPoints(points);           // a reopened run's history at once
// In fm_studio (links Qt6::Charts). GUI thread only.
#pragma once

#include <QChartView>
#include <QString>

class QLineSeries;
class QValueAxis;

namespace fm::ui {

class TrainingPlot : public QChartView {
    Q_OBJECT
public:
    explicit TrainingPlot(const QString& title, QWidget* parent = nullptr);
    void addPoint(double step, double value);
    void setPoints(const QList<QPointF>& points);
    void clear();
    int pointCount() const;
    double lastValue() const;   // NaN when empty
    QSize sizeHint() const override { return {360, 200}; }

private:
    void fitAxes();
    void updateTitle();

    QString title_;
    QLineSeries* series_ = nullptr;
    QValueAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;
    double x0_ = 0, x1_ = 0, y0_ = 0, y1_ = 0;
};

}  // namespace fm::ui
