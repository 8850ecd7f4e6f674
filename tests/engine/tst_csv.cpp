// CSV cells: quoting, doubled quotes, line breaks, formula injection, UTF-8 with BOM.
#include "engine/csv.h"

#include <QTest>

using namespace flashsale;

class TestCsv : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void textCell_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("cell");
        QTest::newRow("plain") << u"Alice"_qs << u"Alice"_qs;
        QTest::newRow("comma") << u"Li, Lei"_qs << u"\"Li, Lei\""_qs;
        QTest::newRow("quote") << u"say \"hi\""_qs << u"\"say \"\"hi\"\"\""_qs;
        QTest::newRow("newline") << u"a\nb"_qs << u"\"a\nb\""_qs;
        QTest::newRow("formula =") << u"=SUM(A1)"_qs << u"'=SUM(A1)"_qs;
        QTest::newRow("formula +") << u"+86 138"_qs << u"'+86 138"_qs;
        QTest::newRow("formula -") << u"-1"_qs << u"'-1"_qs;
        QTest::newRow("formula @") << u"@cmd"_qs << u"'@cmd"_qs;
        QTest::newRow("formula with comma") << u"=1,2"_qs << u"\"'=1,2\""_qs;
        QTest::newRow("chinese") << u"张三"_qs << u"张三"_qs;
        QTest::newRow("empty") << QString() << QString();
    }
    void textCell()
    {
        QFETCH(QString, text);
        QFETCH(QString, cell);
        QCOMPARE(csv::textCell(text), cell);
    }

    void rowKeepsNumbersAndEndsWithCrlf()
    {
        QByteArray out = csv::byteOrderMark();
        csv::appendRow(out, {u"王五, \"VIP\""_qs, qint64(-5), 3});
        QCOMPARE(out, QByteArray("\xEF\xBB\xBF\"王五, \"\"VIP\"\"\",-5,3\r\n"));
    }
};

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
