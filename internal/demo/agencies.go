package demo

import (
	"time"

	"github.com/tenant-console/console/internal/tenant"
)

type agency struct {
	id, name, domain, currency, tz, theme string
	plan                                  tenant.Plan
	status                                tenant.Status
	ageDays                               int
}

// The hand-written demo set: travel agencies of the kind the platform serves,
// with a mix of plans and statuses so every tab and filter has something.
var agencies = []agency{
	{"africastay", "Africa Stay", "africastay.com", "ZAR", "Africa/Johannesburg", "safari_gold", tenant.PlanEnterprise, tenant.StatusActive, 900},
	{"tn_1f3a9c0b_k3xq", "Kruger Safaris", "krugersafaris.co.za", "ZAR", "Africa/Johannesburg", "safari_gold", tenant.PlanPro, tenant.StatusActive, 640},
	{"tn_006943ff_d8yf", "Chobe Retreats", "choberetreats.com", "BWP", "Africa/Gaborone", "forest_green", tenant.PlanPro, tenant.StatusActive, 410},
	{"tn_2b7c11d4_m2pa", "Zanzibar Spice Tours", "zanzibarspice.co.tz", "TZS", "Africa/Dar_es_Salaam", "ocean_teal", tenant.PlanLite, tenant.StatusActive, 380},
	{"tn_3c9e0a12_q7rt", "Serengeti Plains Expeditions", "serengetiplains.com", "USD", "Africa/Dar_es_Salaam", "sunset_orange", tenant.PlanEnterprise, tenant.StatusActive, 720},
	{"tn_4d1f2b33_x9ke", "Okavango Delta Journeys", "okavangojourneys.com", "BWP", "Africa/Gaborone", "forest_green", tenant.PlanPro, tenant.StatusSuspended, 300},
	{"tn_5e2a3c44_b3nd", "Namib Dune Adventures", "namibdune.com.na", "NAD", "Africa/Windhoek", "sunset_orange", tenant.PlanLite, tenant.StatusActive, 260},
	{"tn_6f3b4d55_c4oe", "Cape Winelands Escapes", "capewinelands.co.za", "ZAR", "Africa/Johannesburg", "midnight_purple", tenant.PlanPro, tenant.StatusActive, 505},
	{"tn_7a4c5e66_d5pf", "Kilimanjaro Summit Treks", "kilisummit.com", "USD", "Africa/Dar_es_Salaam", "minimal_gray", tenant.PlanPro, tenant.StatusActive, 199},
	{"tn_8b5d6f77_e6qg", "Masai Mara Lodges", "maramara.co.ke", "KES", "Africa/Nairobi", "safari_gold", tenant.PlanEnterprise, tenant.StatusActive, 830},
	{"tn_9c6e7a88_f7rh", "Victoria Falls Voyages", "vicfallsvoyages.com", "USD", "Africa/Harare", "ocean_teal", tenant.PlanLite, tenant.StatusDeleted, 620},
	{"tn_ad7f8b99_g8si", "Etosha Pan Tours", "etoshapan.com.na", "NAD", "Africa/Windhoek", "professional_blue", tenant.PlanLite, tenant.StatusActive, 150},
	{"tn_be8a9caa_h9tj", "Drakensberg Hiking Co.", "drakensberghiking.co.za", "ZAR", "Africa/Johannesburg", "forest_green", tenant.PlanLite, tenant.StatusActive, 95},
	{"tn_cf9badbb_iaul", "Garden Route Getaways", "gardenroute.travel", "ZAR", "Africa/Johannesburg", "ocean_teal", tenant.PlanPro, tenant.StatusActive, 470},
	{"tn_d0acbecc_jbvm", "Madagascar Lemur Trails", "lemurtrails.mg", "EUR", "Indian/Antananarivo", "forest_green", tenant.PlanLite, tenant.StatusSuspended, 340},
	{"tn_e1bdcfdd_kcwn", "Mauritius Lagoon Holidays", "lagoonholidays.mu", "MUR", "Indian/Mauritius", "ocean_teal", tenant.PlanPro, tenant.StatusActive, 560},
	{"tn_f2ced0ee_ldxo", "Seychelles Island Hoppers", "islandhoppers.sc", "EUR", "Indian/Mahe", "ocean_teal", tenant.PlanEnterprise, tenant.StatusActive, 610},
	{"tn_03dfe1ff_meyp", "Atlas Mountain Treks", "atlastreks.ma", "MAD", "Africa/Casablanca", "sunset_orange", tenant.PlanLite, tenant.StatusActive, 45},
	{"tn_14e0f200_nfzq", "Sahara Star Camps", "saharastar.com", "EUR", "Africa/Casablanca", "midnight_purple", tenant.PlanPro, tenant.StatusActive, 230},
	{"tn_25f10311_og0r", "Nile Felucca Cruises", "nilefelucca.eg", "EGP", "Africa/Cairo", "safari_gold", tenant.PlanLite, tenant.StatusActive, 120},
	{"tn_36021422_ph1s", "Lake Malawi Kayaks", "malawikayaks.com", "USD", "Africa/Blantyre", "ocean_teal", tenant.PlanLite, tenant.StatusActive, 60},
	{"tn_47132533_qi2t", "Société des Voyages Øresund", "oresund-voyages.dk", "DKK", "Europe/Copenhagen", "professional_blue", tenant.PlanPro, tenant.StatusActive, 380},
	{"tn_58243644_rj3u", "Lofoten Northern Lights", "lofotenlights.no", "NOK", "Europe/Oslo", "midnight_purple", tenant.PlanPro, tenant.StatusActive, 290},
	{"tn_69354755_sk4v", "Alpine Chalet Collection", "alpinechalets.ch", "CHF", "Europe/Zurich", "minimal_gray", tenant.PlanEnterprise, tenant.StatusActive, 700},
	{"tn_7a465866_tl5w", "Tuscany Villa Journeys", "tuscanyvillas.it", "EUR", "Europe/Rome", "sunset_orange", tenant.PlanPro, tenant.StatusActive, 445},
	{"tn_8b576977_um6x", "Andes Condor Expeditions", "andescondor.pe", "PEN", "America/Lima", "forest_green", tenant.PlanLite, tenant.StatusSuspended, 210},
	{"tn_9c687a88_vn7y", "Patagonia Wild Trails", "patagoniawild.cl", "CLP", "America/Santiago", "minimal_gray", tenant.PlanPro, tenant.StatusActive, 330},
	{"tn_ad798b99_wo8z", "Bali Rice Terrace Retreats", "baliterrace.id", "IDR", "Asia/Makassar", "forest_green", tenant.PlanLite, tenant.StatusActive, 75},
	{"tn_be8a9caa_xp90", "Kyoto Temple Walks", "kyototemplewalks.jp", "JPY", "Asia/Tokyo", "minimal_gray", tenant.PlanPro, tenant.StatusActive, 390},
	{"tn_cf9badbb_yqa1", "Outback Red Centre Tours", "redcentretours.com.au", "AUD", "Australia/Darwin", "sunset_orange", tenant.PlanLite, tenant.StatusActive, 255},
	{"tn_d0acbecc_zrb2", "Coral Coast Divers", "coralcoastdivers.com.au", "AUD", "Australia/Brisbane", "ocean_teal", tenant.PlanPro, tenant.StatusDeleted, 500},
	{"tn_e1bdcfdd_0sc3", "Highland Whisky Trails", "whiskytrails.scot", "GBP", "Europe/London", "safari_gold", tenant.PlanLite, tenant.StatusActive, 140},
	{"tn_f2ced0ee_1td4", "Baltic Amber Voyages", "balticamber.lt", "EUR", "Europe/Vilnius", "safari_gold", tenant.PlanLite, tenant.StatusActive, 35},
	{"tn_03dfe1ff_2ue5", "Aegean Blue Sailing", "aegeanblue.gr", "EUR", "Europe/Athens", "professional_blue", tenant.PlanPro, tenant.StatusActive, 480},
	{"tn_14e0f200_3vf6", "Yukon Aurora Lodges", "yukonaurora.ca", "CAD", "America/Whitehorse", "midnight_purple", tenant.PlanLite, tenant.StatusActive, 20},
	{"tn_25f10311_4wg7", "Banff Rocky Mountain Tours", "banffrockies.ca", "CAD", "America/Edmonton", "forest_green", tenant.PlanEnterprise, tenant.StatusActive, 810},
}

// Agencies returns the hand-written demo tenants, created relative to now.
func Agencies(now time.Time) []tenant.Record {
	out := make([]tenant.Record, 0, len(agencies))
	for _, a := range agencies {
		theme, _ := tenant.ThemeByID(a.theme)
		created := now.AddDate(0, 0, -a.ageDays)
		out = append(out, record(a.id, a.name, tenant.ShortNameFrom(a.name), a.domain, a.status, a.plan,
			created, theme, a.currency, a.tz, "demo"))
	}
	return out
}
