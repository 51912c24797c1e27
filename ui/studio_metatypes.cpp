#include "ui/studio_metatypes.h"

namespace fm::ui {

void registerStudioMetaTypes() {
    qRegisterMetaType<fm::Roll>("fm::Roll");
    qRegisterMetaType<std::vector<fm::Roll>>("std::vector<fm::Roll>");
    qRegisterMetaType<fm::GenerateParams>("fm::GenerateParams");
    qRegisterMetaType<fm::ui::ModelInfo>("fm::ui::ModelInfo");
}

}  // namespace fm::ui
