//! Country names for the menu, written by `tests/e2e/country-names.mjs` (Chromium 156.0.8078.114's
//! `Intl.DisplayNames`, ordered by its `Intl.Collator`; Firefox's collator gives the same order):
//! do not edit by hand. One line per country, the code then the name, in the locale's order.

/// en
pub(super) const EN: &str = "\
AFAfghanistan\n\
AXÅland Islands\n\
ALAlbania\n\
DZAlgeria\n\
ASAmerican Samoa\n\
ADAndorra\n\
AOAngola\n\
AIAnguilla\n\
AQAntarctica\n\
AGAntigua & Barbuda\n\
ARArgentina\n\
AMArmenia\n\
AWAruba\n\
AUAustralia\n\
ATAustria\n\
AZAzerbaijan\n\
BSBahamas\n\
BHBahrain\n\
BDBangladesh\n\
BBBarbados\n\
BYBelarus\n\
BEBelgium\n\
BZBelize\n\
BJBenin\n\
BMBermuda\n\
BTBhutan\n\
BOBolivia\n\
BABosnia & Herzegovina\n\
BWBotswana\n\
BVBouvet Island\n\
BRBrazil\n\
IOBritish Indian Ocean Territory\n\
VGBritish Virgin Islands\n\
BNBrunei\n\
BGBulgaria\n\
BFBurkina Faso\n\
BIBurundi\n\
KHCambodia\n\
CMCameroon\n\
CACanada\n\
CVCape Verde\n\
BQCaribbean Netherlands\n\
KYCayman Islands\n\
CFCentral African Republic\n\
TDChad\n\
CLChile\n\
CNChina\n\
CXChristmas Island\n\
CCCocos (Keeling) Islands\n\
COColombia\n\
KMComoros\n\
CGCongo - Brazzaville\n\
CDCongo - Kinshasa\n\
CKCook Islands\n\
CRCosta Rica\n\
CICôte d’Ivoire\n\
HRCroatia\n\
CUCuba\n\
CWCuraçao\n\
CYCyprus\n\
CZCzechia\n\
DKDenmark\n\
DJDjibouti\n\
DMDominica\n\
DODominican Republic\n\
ECEcuador\n\
EGEgypt\n\
SVEl Salvador\n\
GQEquatorial Guinea\n\
EREritrea\n\
EEEstonia\n\
SZEswatini\n\
ETEthiopia\n\
FKFalkland Islands (Islas Malvinas)\n\
FOFaroe Islands\n\
FJFiji\n\
FIFinland\n\
FRFrance\n\
GFFrench Guiana\n\
PFFrench Polynesia\n\
TFFrench Southern Territories\n\
GAGabon\n\
GMGambia\n\
GEGeorgia\n\
DEGermany\n\
GHGhana\n\
GIGibraltar\n\
GRGreece\n\
GLGreenland\n\
GDGrenada\n\
GPGuadeloupe\n\
GUGuam\n\
GTGuatemala\n\
GGGuernsey\n\
GNGuinea\n\
GWGuinea-Bissau\n\
GYGuyana\n\
HTHaiti\n\
HMHeard & McDonald Islands\n\
HNHonduras\n\
HKHong Kong\n\
HUHungary\n\
ISIceland\n\
INIndia\n\
IDIndonesia\n\
IRIran\n\
IQIraq\n\
IEIreland\n\
IMIsle of Man\n\
ILIsrael\n\
ITItaly\n\
JMJamaica\n\
JPJapan\n\
JEJersey\n\
JOJordan\n\
KZKazakhstan\n\
KEKenya\n\
KIKiribati\n\
KWKuwait\n\
KGKyrgyzstan\n\
LALaos\n\
LVLatvia\n\
LBLebanon\n\
LSLesotho\n\
LRLiberia\n\
LYLibya\n\
LILiechtenstein\n\
LTLithuania\n\
LULuxembourg\n\
MOMacao\n\
MGMadagascar\n\
MWMalawi\n\
MYMalaysia\n\
MVMaldives\n\
MLMali\n\
MTMalta\n\
MHMarshall Islands\n\
MQMartinique\n\
MRMauritania\n\
MUMauritius\n\
YTMayotte\n\
MXMexico\n\
FMMicronesia\n\
MDMoldova\n\
MCMonaco\n\
MNMongolia\n\
MEMontenegro\n\
MSMontserrat\n\
MAMorocco\n\
MZMozambique\n\
MMMyanmar (Burma)\n\
NANamibia\n\
NRNauru\n\
NPNepal\n\
NLNetherlands\n\
NCNew Caledonia\n\
NZNew Zealand\n\
NINicaragua\n\
NENiger\n\
NGNigeria\n\
NUNiue\n\
NFNorfolk Island\n\
KPNorth Korea\n\
MKNorth Macedonia\n\
MPNorthern Mariana Islands\n\
NONorway\n\
OMOman\n\
PKPakistan\n\
PWPalau\n\
PSPalestine\n\
PAPanama\n\
PGPapua New Guinea\n\
PYParaguay\n\
PEPeru\n\
PHPhilippines\n\
PNPitcairn Islands\n\
PLPoland\n\
PTPortugal\n\
PRPuerto Rico\n\
QAQatar\n\
RERéunion\n\
RORomania\n\
RURussia\n\
RWRwanda\n\
WSSamoa\n\
SMSan Marino\n\
STSão Tomé & Príncipe\n\
SASaudi Arabia\n\
SNSenegal\n\
RSSerbia\n\
SCSeychelles\n\
SLSierra Leone\n\
SGSingapore\n\
SXSint Maarten\n\
SKSlovakia\n\
SISlovenia\n\
SBSolomon Islands\n\
SOSomalia\n\
ZASouth Africa\n\
GSSouth Georgia & South Sandwich Islands\n\
KRSouth Korea\n\
SSSouth Sudan\n\
ESSpain\n\
LKSri Lanka\n\
BLSt. Barthélemy\n\
SHSt. Helena\n\
KNSt. Kitts & Nevis\n\
LCSt. Lucia\n\
MFSt. Martin\n\
PMSt. Pierre & Miquelon\n\
VCSt. Vincent & Grenadines\n\
SDSudan\n\
SRSuriname\n\
SJSvalbard & Jan Mayen\n\
SESweden\n\
CHSwitzerland\n\
SYSyria\n\
TWTaiwan\n\
TJTajikistan\n\
TZTanzania\n\
THThailand\n\
TLTimor-Leste\n\
TGTogo\n\
TKTokelau\n\
TOTonga\n\
TTTrinidad & Tobago\n\
TNTunisia\n\
TRTürkiye\n\
TMTurkmenistan\n\
TCTurks & Caicos Islands\n\
TVTuvalu\n\
UMU.S. Outlying Islands\n\
VIU.S. Virgin Islands\n\
UGUganda\n\
UAUkraine\n\
AEUnited Arab Emirates\n\
GBUnited Kingdom\n\
USUnited States\n\
UYUruguay\n\
UZUzbekistan\n\
VUVanuatu\n\
VAVatican City\n\
VEVenezuela\n\
VNVietnam\n\
WFWallis & Futuna\n\
EHWestern Sahara\n\
YEYemen\n\
ZMZambia\n\
ZWZimbabwe";

/// zh-CN
pub(super) const ZH_CN: &str = "\
AL阿尔巴尼亚\n\
DZ阿尔及利亚\n\
AF阿富汗\n\
AR阿根廷\n\
AE阿拉伯联合酋长国\n\
AW阿鲁巴\n\
OM阿曼\n\
AZ阿塞拜疆\n\
EG埃及\n\
ET埃塞俄比亚\n\
IE爱尔兰\n\
EE爱沙尼亚\n\
AD安道尔\n\
AO安哥拉\n\
AI安圭拉\n\
AG安提瓜和巴布达\n\
AT奥地利\n\
AX奥兰群岛\n\
AU澳大利亚\n\
MO澳门\n\
BB巴巴多斯\n\
PG巴布亚新几内亚\n\
BS巴哈马\n\
PK巴基斯坦\n\
PY巴拉圭\n\
PS巴勒斯坦\n\
BH巴林\n\
PA巴拿马\n\
BR巴西\n\
BY白俄罗斯\n\
BM百慕大\n\
BG保加利亚\n\
MP北马里亚纳群岛\n\
MK北马其顿\n\
BJ贝宁\n\
BE比利时\n\
IS冰岛\n\
PR波多黎各\n\
PL波兰\n\
BA波斯尼亚和黑塞哥维那\n\
BO玻利维亚\n\
BZ伯利兹\n\
BW博茨瓦纳\n\
BT不丹\n\
BF布基纳法索\n\
BI布隆迪\n\
BV布韦岛\n\
KP朝鲜\n\
GQ赤道几内亚\n\
DK丹麦\n\
DE德国\n\
TL东帝汶\n\
TG多哥\n\
DO多米尼加共和国\n\
DM多米尼克\n\
RU俄罗斯\n\
EC厄瓜多尔\n\
ER厄立特里亚\n\
FR法国\n\
FO法罗群岛\n\
PF法属波利尼西亚\n\
GF法属圭亚那\n\
TF法属南部领地\n\
MF法属圣马丁\n\
VA梵蒂冈\n\
PH菲律宾\n\
FJ斐济\n\
FI芬兰\n\
CV佛得角\n\
FK福克兰群岛（马尔维纳斯群岛）\n\
GM冈比亚\n\
CG刚果（布）\n\
CD刚果（金）\n\
CO哥伦比亚\n\
CR哥斯达黎加\n\
GD格林纳达\n\
GL格陵兰\n\
GE格鲁吉亚\n\
GG根西岛\n\
CU古巴\n\
GP瓜德罗普\n\
GU关岛\n\
GY圭亚那\n\
KZ哈萨克斯坦\n\
HT海地\n\
KR韩国\n\
NL荷兰\n\
BQ荷属加勒比区\n\
SX荷属圣马丁\n\
HM赫德岛和麦克唐纳群岛\n\
ME黑山\n\
HN洪都拉斯\n\
KI基里巴斯\n\
DJ吉布提\n\
KG吉尔吉斯斯坦\n\
GN几内亚\n\
GW几内亚比绍\n\
CA加拿大\n\
GH加纳\n\
GA加蓬\n\
KH柬埔寨\n\
CZ捷克\n\
ZW津巴布韦\n\
CM喀麦隆\n\
QA卡塔尔\n\
KY开曼群岛\n\
CC科科斯（基林）群岛\n\
KM科摩罗\n\
CI科特迪瓦\n\
KW科威特\n\
HR克罗地亚\n\
KE肯尼亚\n\
CK库克群岛\n\
CW库拉索\n\
LV拉脱维亚\n\
LS莱索托\n\
LA老挝\n\
LB黎巴嫩\n\
LT立陶宛\n\
LR利比里亚\n\
LY利比亚\n\
LI列支敦士登\n\
RE留尼汪\n\
LU卢森堡\n\
RW卢旺达\n\
RO罗马尼亚\n\
MG马达加斯加\n\
IM马恩岛\n\
MV马尔代夫\n\
MT马耳他\n\
MW马拉维\n\
MY马来西亚\n\
ML马里\n\
MH马绍尔群岛\n\
MQ马提尼克\n\
YT马约特\n\
MU毛里求斯\n\
MR毛里塔尼亚\n\
US美国\n\
UM美国本土外小岛屿\n\
AS美属萨摩亚\n\
VI美属维尔京群岛\n\
MN蒙古\n\
MS蒙特塞拉特\n\
BD孟加拉国\n\
PE秘鲁\n\
FM密克罗尼西亚\n\
MM缅甸\n\
MD摩尔多瓦\n\
MA摩洛哥\n\
MC摩纳哥\n\
MZ莫桑比克\n\
MX墨西哥\n\
NA纳米比亚\n\
ZA南非\n\
AQ南极洲\n\
GS南乔治亚和南桑威奇群岛\n\
SS南苏丹\n\
NR瑙鲁\n\
NI尼加拉瓜\n\
NP尼泊尔\n\
NE尼日尔\n\
NG尼日利亚\n\
NU纽埃\n\
NO挪威\n\
NF诺福克岛\n\
PW帕劳\n\
PN皮特凯恩群岛\n\
PT葡萄牙\n\
JP日本\n\
SE瑞典\n\
CH瑞士\n\
SV萨尔瓦多\n\
WS萨摩亚\n\
RS塞尔维亚\n\
SL塞拉利昂\n\
SN塞内加尔\n\
CY塞浦路斯\n\
SC塞舌尔\n\
SA沙特阿拉伯\n\
BL圣巴泰勒米\n\
CX圣诞岛\n\
ST圣多美和普林西比\n\
SH圣赫勒拿\n\
KN圣基茨和尼维斯\n\
LC圣卢西亚\n\
SM圣马力诺\n\
PM圣皮埃尔和密克隆群岛\n\
VC圣文森特和格林纳丁斯\n\
LK斯里兰卡\n\
SK斯洛伐克\n\
SI斯洛文尼亚\n\
SJ斯瓦尔巴和扬马延\n\
SZ斯威士兰\n\
SD苏丹\n\
SR苏里南\n\
SB所罗门群岛\n\
SO索马里\n\
TJ塔吉克斯坦\n\
TW台湾\n\
TH泰国\n\
TZ坦桑尼亚\n\
TO汤加\n\
TC特克斯和凯科斯群岛\n\
TT特立尼达和多巴哥\n\
TN突尼斯\n\
TV图瓦卢\n\
TR土耳其\n\
TM土库曼斯坦\n\
TK托克劳\n\
WF瓦利斯和富图纳\n\
VU瓦努阿图\n\
GT危地马拉\n\
VE委内瑞拉\n\
BN文莱\n\
UG乌干达\n\
UA乌克兰\n\
UY乌拉圭\n\
UZ乌兹别克斯坦\n\
ES西班牙\n\
EH西撒哈拉\n\
GR希腊\n\
HK香港\n\
SG新加坡\n\
NC新喀里多尼亚\n\
NZ新西兰\n\
HU匈牙利\n\
SY叙利亚\n\
JM牙买加\n\
AM亚美尼亚\n\
YE也门\n\
IQ伊拉克\n\
IR伊朗\n\
IL以色列\n\
IT意大利\n\
IN印度\n\
ID印度尼西亚\n\
GB英国\n\
VG英属维尔京群岛\n\
IO英属印度洋领地\n\
JO约旦\n\
VN越南\n\
ZM赞比亚\n\
JE泽西岛\n\
TD乍得\n\
GI直布罗陀\n\
CL智利\n\
CF中非共和国\n\
CN中国";
