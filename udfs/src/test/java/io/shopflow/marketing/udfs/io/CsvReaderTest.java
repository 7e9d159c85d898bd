package io.shopflow.marketing.udfs.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
  private static List<List<String>> records(String csv) throws IOException {
    return records(new StringReader(csv));
  }

  private static List<List<String>> records(Reader in) throws IOException {
    List<List<String>> out = new ArrayList<>();
    try (CsvReader r = new CsvReader(in)) {
      List<String> record;
      while ((record = r.next()) != null) {
        out.add(record);
      }
    }
    return out;
  }

  @Test
  void splitsOnCommasOutsideQuotes() throws Exception {
    assertThat(records("536365,\"CANDLE, RED\",6,\"a \"\"b\"\"\""))
        .containsExactly(List.of("536365", "CANDLE, RED", "6", "a \"b\""));
  }

  @Test
  void readsDoubledQuotesInsideQuotedFieldsAsOneQuote() throws Exception {
    assertThat(records("\"\"\"\",\"x\"\"\"\"y\",\"\"\n"))
        .containsExactly(List.of("\"", "x\"\"y", ""));
  }

  @Test
  void keepsEmptyFields() throws Exception {
    assertThat(records(",a,,\n\"\",,b\n"))
        .containsExactly(List.of("", "a", "", ""), List.of("", "", "b"));
  }

  @Test
  void endsRecordsOnCrlfLfAndLoneCrOutsideQuotes() throws Exception {
    assertThat(records("a,1\r\nb,2\nc,3\rd,4\r\n"))
        .containsExactly(
            List.of("a", "1"), List.of("b", "2"), List.of("c", "3"), List.of("d", "4"));
  }

  @Test
  void keepsLineBreaksInsideQuotedFieldsAsTheyAre() throws Exception {
    assertThat(records("1,\"crlf\r\nlf\nlone cr\rend\",2\r\nnext\n"))
        .containsExactly(List.of("1", "crlf\r\nlf\nlone cr\rend", "2"), List.of("next"));
  }

  @Test
  void countsALastRecordWithoutFinalLineBreak() throws Exception {
    assertThat(records("a,b\nc,d")).containsExactly(List.of("a", "b"), List.of("c", "d"));
    assertThat(records("a,\"quoted\nlast\"")).containsExactly(List.of("a", "quoted\nlast"));
  }

  @Test
  void aFinalLineBreakStartsNoRecord() throws Exception {
    assertThat(records("a,b\n")).containsExactly(List.of("a", "b"));
    assertThat(records("a,b\r\n")).containsExactly(List.of("a", "b"));
    assertThat(records("a,b\r")).containsExactly(List.of("a", "b"));
    assertThat(records("")).isEmpty();
  }

  @Test
  void readsAnEmptyLineAsOneEmptyField() throws Exception {
    assertThat(records("a\n\nb\n")).containsExactly(List.of("a"), List.of(""), List.of("b"));
  }

  @Test
  void runsAnUnclosedQuoteToTheEndOfInput() throws Exception {
    assertThat(records("a,\"open,\nstill open\n"))
        .containsExactly(List.of("a", "open,\nstill open\n"));
  }

  @Test
  void keepsTextAroundQuotedSectionsOfAField() throws Exception {
    assertThat(records("ab\"c,d\"e,f")).containsExactly(List.of("abc,de", "f"));
  }

  @Test
  void readsRecordsAcrossBufferBoundaries() throws Exception {
    // One character per read: a CRLF, a "" and a closing quote all fall between two reads.
    Reader trickle =
        new StringReader("x,\"a\"\"b\r\nc\"\r\ny,z\r") {
          @Override
          public int read(char[] cbuf, int off, int len) throws IOException {
            return super.read(cbuf, off, Math.min(len, 1));
          }
        };

    assertThat(records(trickle)).containsExactly(List.of("x", "a\"b\r\nc"), List.of("y", "z"));
  }

  @Test
  void returnsNullAgainOnceAtTheEnd() throws Exception {
    CsvReader r = new CsvReader(new StringReader("a"));

    assertThat(r.next()).containsExactly("a");
    assertThat(r.next()).isNull();
    assertThat(r.next()).isNull();
  }
}
