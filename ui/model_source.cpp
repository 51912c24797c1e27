#include "ui/model_source.h"

#include "core/resources.h"

namespace fm::ui {

QString defaultModelPath(int width) { return QString::fromStdString(fm::default_model_path(width)); }

}  // namespace fm::ui
