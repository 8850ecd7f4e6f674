// Compiles as part of the console (flashsale_ui): the interface and plain value types (the control
// that shows the probes above fail for what they include, not for the setup).
#include "ui/backend/consolebackend.h"
#include "ui/pages/dashboardpage.h"

int consoleBoundaryProbe()
{
    return int(flashsale::BackendKind::Remote);
}
