/**
 * Small word lists the offline engine reads stories with. They are knowledge about the
 * languages (common surnames, honorifics, function words, speech verbs), not about any one story.
 */

/** Common Japanese surnames: a kanji run starting with one of these is very likely a person. */
export const JA_SURNAMES = new Set(
  (
    '佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 ' +
    '山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 ' +
    '中川 松田 竹内 小野 田村 中山 和田 石田 森田 上田 原 柴田 酒井 工藤 横山 宮崎 宮本 内田 高木 安藤 島田 谷口 大野 丸山 今井 高田 ' +
    '藤本 武田 村田 上野 杉山 増田 小山 大塚 平野 菅原 久保 松井 千葉 岩崎 桜井 野口 松尾 野村 木下 菊地 佐野 大西 杉本 新井 浜田 ' +
    '菅野 市川 水野 小松 黒田 白石 佐倉 桜木 星野 月島 早川 北村 南 東 西田 秋山 春日 夏目 冬木 神田 相沢 朝倉 天野 有馬 一ノ瀬 ' +
    '宮下 片山 緑川 青山 赤井 黒川 白井 如月 霧島 成瀬 日向 榊 真田 結城 桐生 九条 鳳 柊'
  ).split(' '),
);

export const JA_HONORIFICS = ['さん', 'くん', 'ちゃん', '君', '様', 'さま', '先生', '先輩', '殿', '氏'] as const;

/** Words that look like names to the patterns but are kinship terms, pronouns or address. */
export const JA_NOT_NAMES = new Set(
  (
    'おじい おばあ おじ おば お父 お母 お兄 お姉 お爺 お婆 じい ばあ 父 母 兄 姉 弟 妹 祖父 祖母 みな 皆 みんな 皆さ お客 客 ' +
    'それ これ あれ どれ そこ ここ あそこ わたし あたし わたくし ぼく おれ あなた きみ だれ 誰 彼 彼女 私 僕 俺 自分 二人 ふたり ' +
    '店主 店長 先生 生徒 少年 少女 青年 男 女 老人 人 人々 子 子供 子ども 今日 明日 昨日 今 その時 そのとき でも だけど しかし ' +
    'ねえ ああ あの この その ほら まあ えっ え うん はい いいえ じゃあ それから 本当 ちょっと'
  ).split(' '),
);

export const JA_SPEECH_VERBS = /^(?:言|聞|訊|尋|叫|答|呟|つぶや|囁|ささや|笑|返|続|話|怒鳴|泣|告げ|問|頼|呼|声をかけ|口を開)/;

export const EN_SPEECH_VERBS = new Set(
  (
    'said says asked asks replied replies shouted shouts yelled yells whispered whispers cried cries called snorted muttered answered ' +
    'added continued laughed sighed exclaimed murmured screamed told began insisted admitted explained snapped gasped breathed agreed ' +
    'warned demanded pleaded offered repeated growled hissed mumbled stammered announced declared called wondered protested chuckled smiled'
  ).split(' '),
);

/** Capitalised words that are not names: sentence openers, titles, days, months, kin terms. */
export const EN_NOT_NAMES = new Set(
  (
    'The A An And But Or So Then Now When While If As At On In Of For From To Into Onto Over Under Below Above Beside Behind Beyond ' +
    'After Before Far Near Long Short Three Two One Four Five Six Seven Eight Nine Ten Every Each No Not Yes Yet Still Just Only Even ' +
    'There Here This That These Those It Its He She They We You I Me My Mine Your Our Their His Her Him Them Us What Who Why How Where ' +
    'Was Were Is Are Be Been Do Did Does Have Had Has Will Would Could Should Can May Might Must Let Turn Rest Come Go Look Wait Stop ' +
    'Please Thank Thanks Hello Hi Hey Oh Ah Well Okay OK Sorry Good Bad Great Dear Sir Madam Miss Mister Mr Mrs Ms Dr Lord Lady ' +
    'Dad Daddy Mom Mommy Mum Mother Father Grandpa Grandma Grandfather Grandmother Granny Uncle Aunt Brother Sister Son Daughter ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October ' +
    'November December Title Chapter Part Epilogue Prologue End God Heaven Ignore All Some Many Most Few Both Neither Either Once ' +
    'Soon Later Today Tomorrow Yesterday Tonight Morning Night Day Below Outside Inside Across Around Through Without With Like Unlike'
  ).split(' '),
);

/** Nouns that, after a capitalised run, make it a place or a thing, not a person. */
export const EN_PLACE_NOUNS = new Set(
  'Point Light Lighthouse Street Road Avenue Lane Bay Harbor Harbour Island City Town Village River Lake Mountain Mount Hill School Academy University Station Hospital Church Castle Forest Sea Ocean Bridge Tower Hall House Inn Cafe Café Shop Store Market Building Square'.split(' '),
);

/** Kin and role nouns a narrator uses instead of a name ("her grandfather said"). */
export const EN_ROLE_NOUNS: Record<string, string> = {
  grandfather: 'grandfather', grandpa: 'grandfather', granddad: 'grandfather',
  grandmother: 'grandmother', grandma: 'grandmother', granny: 'grandmother',
  father: 'father', dad: 'father', daddy: 'father', mother: 'mother', mom: 'mother', mum: 'mother', mommy: 'mother',
  brother: 'brother', sister: 'sister', uncle: 'uncle', aunt: 'aunt', son: 'son', daughter: 'daughter',
  husband: 'husband', wife: 'wife', friend: 'friend', teacher: 'teacher', captain: 'captain', boss: 'boss',
};
