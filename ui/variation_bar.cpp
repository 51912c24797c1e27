#include "ui/variation_bar.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QTabBar>

#include <utility>

namespace fm::ui {

VariationBar::VariationBar(QWidget* parent) : QWidget(parent) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    tabs_ = new QTabBar(this);
    tabs_->setObjectName(QStringLiteral("variationTabs"));
    tabs_->setDocumentMode(true);
    tabs_->setExpanding(false);
    tabs_->addTab(tr("Current roll"));
    keep_ = new QPushButton(tr("Keep"), this);
    keep_->setObjectName(QStringLiteral("keepButton"));
    keep_->setToolTip(tr("Make the shown variation the current roll (undoable)"));
    keep_->setEnabled(false);
    row->addWidget(tabs_, 1);
    row->addWidget(keep_);
    connect(tabs_, &QTabBar::currentChanged, this, &VariationBar::onTab);
    connect(keep_, &QPushButton::clicked, this, [this] {
        if (current() >= 0) Q_EMIT keepRequested(current());
    });
}

void VariationBar::setVariations(std::vector<Roll> rolls, bool partial) {
    const QSignalBlocker block(tabs_);
    while (tabs_->count() > 1) tabs_->removeTab(tabs_->count() - 1);
    rolls_ = std::move(rolls);
    partial_ = partial;
    for (size_t i = 0; i < rolls_.size(); ++i) {
        const int t = tabs_->addTab(partial ? tr("Variation %1 (partial)").arg(i + 1) : tr("Variation %1").arg(i + 1));
        if (partial) tabs_->setTabToolTip(t, tr("Generation was cancelled: grey cells were not generated"));
    }
    tabs_->setCurrentIndex(0);
    keep_->setEnabled(false);
}

void VariationBar::clearVariations() { setVariations({}, false); }

int VariationBar::current() const { return tabs_->currentIndex() - 1; }

void VariationBar::showCurrentRoll() { tabs_->setCurrentIndex(0); }

void VariationBar::showVariation(int i) {
    if (i >= 0 && i < count()) tabs_->setCurrentIndex(i + 1);
}

void VariationBar::onTab(int index) {
    keep_->setEnabled(index > 0);
    Q_EMIT shown(index - 1);
}

}  // namespace fm::ui
