// variation_bar.h — tabs above the roll: "Current roll" and the variations of the last generation, with "Keep".
//
//   bar->setVariations(rolls, /*partial=*/cancelled);     // tabs "Variation 1".."Variation n" (marked partial)
//   connect(bar, &VariationBar::shown, ...);               // -1: the current roll; k: variation k
//   connect(bar, &VariationBar::keepRequested, ...);       // push an undo command that makes it the current roll
//
// Thread-safety: GUI thread only.
#pragma once

#include <QWidget>

#include <vector>

#include "core/roll.h"

class QLabel;
class QPushButton;
class QTabBar;

namespace fm::ui {

class VariationBar : public QWidget {
    Q_OBJECT
public:
    explicit VariationBar(QWidget* parent = nullptr);

    void setVariations(std::vector<Roll> rolls, bool partial);
    void clearVariations();
    int count() const { return int(rolls_.size()); }
    const Roll& variation(int i) const { return rolls_[size_t(i)]; }
    bool partial() const { return partial_; }
    int current() const;                 // -1 when "Current roll" is shown
    void showCurrentRoll();
    void showVariation(int i);
    QTabBar* tabs() const { return tabs_; }
    QPushButton* keepButton() const { return keep_; }

Q_SIGNALS:
    void shown(int variation);
    void keepRequested(int variation);

private:
    void onTab(int index);

    QTabBar* tabs_ = nullptr;
    QPushButton* keep_ = nullptr;
    std::vector<Roll> rolls_;
    bool partial_ = false;
};

}  // namespace fm::ui
