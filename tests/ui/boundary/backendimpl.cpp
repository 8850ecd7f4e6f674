// Must NOT compile as part of the console (flashsale_ui): only the backend interface, never an implementation.
#include "ui/backend/localbackend.h"
