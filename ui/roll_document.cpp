#include "ui/roll_document.h"

#include <utility>

namespace fm::ui {

void RollDocument::setState(RollState state) {
    state_ = std::move(state);
    Q_EMIT changed();
}

}  // namespace fm::ui
