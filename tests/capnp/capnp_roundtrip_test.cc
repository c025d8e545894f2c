// SPDX-License-Identifier: Apache-2.0
// Cap'n Proto built from pinned source, end to end: schemas compiled by the capnp tool this
// build produces (person.capnp, date.capnp), a message built, flattened to words, read back
// field by field, and truncated input rejected.
//
// Like all EbbRT code this test is compiled with -fno-exceptions -fno-rtti, while the capnp
// runtime is built with exceptions (third_party/capnproto/BUILD.capnproto). The runtime
// reports a malformed message by throwing a kj::Exception, which code without exceptions
// cannot catch, so the truncation tests check the two behaviours such code can rely on:
//   * with a kj::ExceptionCallback installed, the error is delivered to the callback and the
//     reader continues with safe defaults (none of the truncated data is visible);
//   * without one, the process terminates (never reads garbage).

#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>
#include <kj/exception.h>

#include "gtest/gtest.h"
#include "tests/capnp/person.capnp.h"

namespace ebbrt::capnp_test {
namespace {

constexpr uint64_t kLuckyNumbers[] = {7, 42, UINT64_MAX};

// Builds the test's Person and returns it as a flat array of words (segment table + data).
kj::Array<capnp::word> SerializedPerson() {
  capnp::MallocMessageBuilder builder;
  Person::Builder person = builder.initRoot<Person>();
  person.setName("Ada Lovelace");
  person.setId(1815);
  auto lucky = person.initLuckyNumbers(std::size(kLuckyNumbers));
  for (unsigned i = 0; i < std::size(kLuckyNumbers); ++i) {
    lucky.set(i, kLuckyNumbers[i]);
  }
  Person::Address::Builder address = person.initAddress();
  address.setStreet("12 St James's Square");
  address.setPostalCode(10001);
  Date::Builder birthday = person.initBirthday();
  birthday.setYear(1815);
  birthday.setMonth(12);
  birthday.setDay(10);
  return capnp::messageToFlatArray(builder);
}

TEST(CapnpRoundTripTest, EveryFieldSurvivesFlatArray) {
  kj::Array<capnp::word> words = SerializedPerson();
  ASSERT_GT(words.size(), 0u);

  capnp::FlatArrayMessageReader reader(words.asPtr());
  Person::Reader person = reader.getRoot<Person>();

  EXPECT_STREQ(person.getName().cStr(), "Ada Lovelace");
  EXPECT_EQ(person.getId(), 1815u);

  ASSERT_EQ(person.getLuckyNumbers().size(), std::size(kLuckyNumbers));
  for (unsigned i = 0; i < std::size(kLuckyNumbers); ++i) {
    EXPECT_EQ(person.getLuckyNumbers()[i], kLuckyNumbers[i]) << "index " << i;
  }

  ASSERT_TRUE(person.hasAddress());
  EXPECT_STREQ(person.getAddress().getStreet().cStr(), "12 St James's Square");
  EXPECT_EQ(person.getAddress().getPostalCode(), 10001u);

  ASSERT_TRUE(person.hasBirthday());
  EXPECT_EQ(person.getBirthday().getYear(), 1815);
  EXPECT_EQ(person.getBirthday().getMonth(), 12u);
  EXPECT_EQ(person.getBirthday().getDay(), 10u);

  // The reader consumed exactly the words the builder wrote.
  EXPECT_EQ(reader.getEnd(), words.end());
}

// Records capnp's recoverable errors instead of throwing them: the pattern for code built
// without exceptions that must survive malformed input. Callbacks form a per-thread stack;
// this one is active from construction to destruction and must live on the stack.
class RecordingExceptionCallback final : public kj::ExceptionCallback {
 public:
  void onRecoverableException(kj::Exception&& exception) override {
    errors_.emplace_back(exception.getDescription().cStr());
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

bool AnyContains(const std::vector<std::string>& errors, const std::string& text) {
  for (const std::string& error : errors) {
    if (error.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(CapnpRoundTripTest, TruncatedMessageIsReportedToExceptionCallback) {
  kj::Array<capnp::word> words = SerializedPerson();
  // Drop the last word: the segment table now promises more data than the buffer holds.
  kj::ArrayPtr<const capnp::word> truncated = words.slice(0, words.size() - 1);

  RecordingExceptionCallback callback;
  capnp::FlatArrayMessageReader reader(truncated);
  ASSERT_EQ(callback.errors().size(), 1u);
  EXPECT_TRUE(AnyContains(callback.errors(), "Message ends prematurely"))
      << callback.errors()[0];

  // The reader kept no segment, so the root is the default Person: nothing of the
  // truncated input is visible, and reading it is reported once more.
  Person::Reader person = reader.getRoot<Person>();
  EXPECT_TRUE(AnyContains(callback.errors(), "Message did not contain a root pointer"));
  EXPECT_EQ(person.getId(), 0u);
  EXPECT_EQ(person.getName().size(), 0u);
  EXPECT_EQ(person.getLuckyNumbers().size(), 0u);
  EXPECT_FALSE(person.hasAddress());
}

TEST(CapnpRoundTripDeathTest, TruncatedMessageWithoutCallbackTerminates) {
  kj::Array<capnp::word> words = SerializedPerson();
  kj::ArrayPtr<const capnp::word> truncated = words.slice(0, words.size() - 1);

  // The runtime throws; with no handler in this -fno-exceptions code, std::terminate reports
  // the kj::Exception (its what() carries the description) and aborts.
  EXPECT_DEATH(
      { capnp::FlatArrayMessageReader reader(truncated); },
      "Message ends prematurely");
}

}  // namespace
}  // namespace ebbrt::capnp_test
