// CSV cells: quoting, doubled quotes, line breaks, formula injection, UTF-8 with BOM.
#include "engine/storage/csv.h"

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
        QTest::newRow("semicolon") << u"x;y"_qs << u"\"x;y\""_qs;
        QTest::newRow("semicolon then formula") << u"x;=1+1"_qs << u"\"x;=1+1\""_qs;
        QTest::newRow("formula after space") << u" =1+1"_qs << u"' =1+1"_qs;
        QTest::newRow("formula after spaces and tab") << u"  \t@SUM(A1)"_qs << u"'  \t@SUM(A1)"_qs;
        QTest::newRow("formula after no-break space") << u"\u00a0=1+1"_qs << u"'\u00a0=1+1"_qs;
        QTest::newRow("formula after ideographic space") << u"\u3000+1"_qs << u"'\u3000+1"_qs;
        QTest::newRow("formula after newline") << u"\n-1"_qs << u"\"'\n-1\""_qs;
        QTest::newRow("tab first") << u"\tAlice"_qs << u"'\tAlice"_qs;
        QTest::newRow("text after space") << u" Alice"_qs << u" Alice"_qs;
        QTest::newRow("only spaces") << u"\u00a0 "_qs << u"\u00a0 "_qs;
        QTest::newRow("nul removed") << QString(u"al\u0000ice"_qs) << u"alice"_qs;
        QTest::newRow("nul before formula") << QString(u"\u0000=1"_qs) << u"'=1"_qs;
        QTest::newRow("right-to-left override removed") << u"abc\u202Etxt.exe"_qs << u"abctxt.exe"_qs;
        QTest::newRow("bidi embeddings removed") << u"\u202Aa\u202Bb\u202Cc\u202Dd"_qs << u"abcd"_qs;
        QTest::newRow("bidi isolates removed") << u"\u2066a\u2067b\u2068c\u2069"_qs << u"abc"_qs;
        QTest::newRow("marks removed") << u"\u200Ea\u200Fb\u061Cc"_qs << u"abc"_qs;
        QTest::newRow("override hiding a formula") << u"\u202E=1+1"_qs << u"'=1+1"_qs;
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
