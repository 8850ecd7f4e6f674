// Must NOT compile as part of the console (flashsale_ui): the engine's façade is out of its reach.
#include "engine/node/engine.h"
