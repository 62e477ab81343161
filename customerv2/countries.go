package customerv2

import "strings"

// assignedCountries lists the 249 officially assigned ISO 3166-1 alpha-2
// codes, checked against two independent copies: Debian's iso-codes 4.15
// (iso_3166-1.json) and tzdata's iso3166.tab. Exceptionally reserved and
// user-assigned codes (UK, EU, XK for Kosovo) are not in it: KunaCore asks for
// ISO 3166-1 alpha-2, and we infer that it refuses codes outside the
// standard too. A country assigned after 2024 needs adding here.
const assignedCountries = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE " +
	"BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD " +
	"CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
	"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF " +
	"GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME " +
	"MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA " +
	"NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI " +
	"SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK " +
	"TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
	"VN VU WF WS YE YT ZA ZM ZW"

// validCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 code: two uppercase ASCII letters that are in the list.
func validCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	for i := 0; i+1 < len(assignedCountries); i += 3 {
		if assignedCountries[i:i+2] == code {
			return true
		}
	}
	return false
}

// countryProblem says what is wrong with a country code, or "" if nothing.
func countryProblem(code string) string {
	switch {
	case code == "":
		return "is required"
	case validCountry(code):
		return ""
	case len(code) == 2 && strings.ToUpper(code) != code && validCountry(strings.ToUpper(code)):
		return "must be an ISO 3166-1 alpha-2 code in upper case, such as " + strings.ToUpper(code)
	default:
		return "must be an assigned ISO 3166-1 alpha-2 code, such as UA or IT"
	}
}
