// Internal: zxcvbn 4.4.2's feedback.coffee, with a stable key for every message.

#ifndef PORTCULLIS_SRC_STRENGTH_FEEDBACK_H_
#define PORTCULLIS_SRC_STRENGTH_FEEDBACK_H_

#include <vector>

#include "portcullis/strength.h"
#include "matching.h"

namespace portcullis::strength {

// The feedback for a score and the sequence the search chose (empty for the empty password).
StrengthFeedback get_feedback(int score, const std::vector<Match>& sequence);

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_FEEDBACK_H_
