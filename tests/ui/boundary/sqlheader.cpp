// Must NOT compile as part of the console (flashsale_ui): no SQL in pages, models or dialogs.
#include <QSqlQuery>
