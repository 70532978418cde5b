"""A skill's topic groups and the rows of the roadmap's tables as answer units (`tutor.chain.roadmap_units`)."""

from __future__ import annotations

import pytest

from tutor.chain.curriculum_answer import curriculum_answer
from tutor.chain.roadmap_units import matching_rows, named_groups, split_resources
from tutor.chain.text import detect_language
from tutor.chain.understanding import Understanding, understand

from .conftest import ROADMAP


def _answer(question: str, roadmap):
    u = understand(question, roadmap.curriculum, roadmap.config)
    return curriculum_answer(question, detect_language(question), u, roadmap, None, None)


def _titles(question: str, roadmap) -> list[str]:
    cur = roadmap.curriculum
    u = understand(question, cur, roadmap.config)
    refs = named_groups(question, detect_language(question), u, cur)
    return [cur.skill(r.skill).content[r.index].title or "" for r in refs]


# --- the parsed groups and rows know their lines ----------------------------------------------------


def test_a_content_group_knows_the_lines_from_its_label_to_its_last_item(cur) -> None:
    text = ROADMAP.read_text(encoding="utf-8").splitlines()
    group = next(g for g in cur.skill(2).content if g.title == "线性代数")
    assert group.lines is not None
    first, last = group.lines
    assert text[first - 1].strip() == "**线性代数**"
    assert "为什么重要" in text[last - 1]
    untitled = cur.skill(16).content[0]  # a skill whose content is a plain list has one untitled group
    assert untitled.lines is not None and "CLIP" in text[untitled.lines[0] - 1]


def test_each_recommended_row_knows_its_line(cur) -> None:
    text = ROADMAP.read_text(encoding="utf-8").splitlines()
    for row in cur.recommended:
        assert row.line is not None and row.name in text[row.line - 1]


# --- (a) a group named in the question is answered whole --------------------------------------------


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("What topics are under linear algebra, and why does the roadmap say it matters?", "线性代数"),
        ("NLP 里文本表示要学哪几种方法？", "文本表示"),
        ("What retrieval strategies should I know for RAG?", "检索策略"),
        ("LangChain 的 Memory 管理有哪几种？", "Memory 管理"),
        ("In the NLP skill, which text representation methods are covered?", "文本表示"),
        ("For model deployment, what inference optimization techniques are listed?", "推理优化"),
        ("CNN 那部分要学哪些", "卷积神经网络（CNN）"),
        ("概率统计具体学什么？", "概率统计"),
    ],
)
def test_a_group_named_in_zh_or_en_is_found(question: str, title: str, roadmap) -> None:
    assert _titles(question, roadmap) == [title]


def test_a_generic_group_title_needs_its_skill(roadmap) -> None:
    # 核心概念 is also a sub-section heading: read alone (no skill understood) it names no topic
    cur = roadmap.curriculum
    assert named_groups("核心概念有哪些？", "zh", Understanding(), cur) == []
    assert named_groups("核心概念有哪些？", "zh", Understanding(skills=[4]), cur) != []
    assert _titles("机器学习基础的核心概念有哪些？", roadmap) == ["核心概念"]


def test_a_named_skill_keeps_other_skills_groups_out(roadmap) -> None:
    # "优化技巧" (deep learning) and "推理优化" (deployment): the skill named decides
    assert _titles(
        "In the deep learning principles part, what optimization tricks are covered?", roadmap
    ) == ["优化技巧"]


def test_the_group_answer_quotes_every_item_and_why_it_matters_cited_to_its_lines(roadmap) -> None:
    s = _answer("What topics are under linear algebra, and why does the roadmap say it matters?", roadmap)
    assert s is not None
    for item in ("向量和矩阵运算", "矩阵乘法", "特征值和特征向量", "神经网络就是矩阵运算"):
        assert item in s.text
    assert "微积分" not in s.text  # the skill's other groups are not the answer
    assert s.text.startswith("“线性代数” is part of Skill 2")  # English framing around the Chinese
    group = next(g for g in roadmap.curriculum.skill(2).content if g.title == "线性代数")
    assert [src.lines for src in s.sources] == [list(group.lines)]
    assert "**线性代数**" in s.sources[0].text and "链式法则" not in s.sources[0].text


def test_chinese_group_answer_has_chinese_framing(roadmap) -> None:
    s = _answer("NLP 里文本表示要学哪几种方法？", roadmap)
    assert s is not None
    assert s.text.startswith("「文本表示」是 技能点 6：自然语言处理")
    assert all(t in s.text for t in ("Bag of Words", "TF-IDF", "Word2Vec", "GloVe"))


def test_another_aspect_of_a_group_is_not_the_group(roadmap) -> None:
    # resources of the skill, not the group's list
    s = _answer("线性代数有什么视频推荐？", roadmap)
    assert s is not None and "3Blue1Brown 线性代数本质" in s.text and "特征值和特征向量" not in s.text


def test_a_skill_asked_what_it_covers_gets_all_its_groups(roadmap) -> None:
    s = _answer("Transformer 那个技能点一共要学哪些内容？", roadmap)
    assert s is not None
    for title in ("Attention 机制", "Transformer 结构", "BERT 系列", "GPT 系列"):
        assert title in s.text


# --- (c) tables as data ----------------------------------------------------------------------------


def test_books_by_stage_are_every_row_whose_range_covers_a_named_stage(roadmap) -> None:
    s = _answer("书籍推荐里适合阶段 0 和阶段 1 读的是哪几本？", roadmap)
    assert s is not None
    first = s.text.split("表中另有")[0]
    for book in (
        "《Python 编程：从入门到实践》",
        "《机器学习实战》",
        "《深度学习》（花书）",
        "《动手学深度学习》",
        "《神经网络与深度学习》",
    ):
        assert book in first
    assert "《自然语言处理综论》" not in first  # 阶段 2-3 covers neither
    assert "技能点 1" not in s.text  # the stages filter the named table; they are not asked for whole


def test_a_stage_range_covers_its_middle(cur) -> None:
    books = [r for r in cur.recommended if r.table == "书籍推荐"]
    assert [r.name for r in matching_rows(books, "阶段 2 适合读哪些书", "zh", [2])] == [
        "《深度学习》（花书）",
        "《动手学深度学习》",
        "《神经网络与深度学习》",
        "《自然语言处理综论》",
    ]


def test_a_named_cell_value_filters_a_table(cur) -> None:
    books = [r for r in cur.recommended if r.table == "书籍推荐"]
    beginners = [
        r.name for r in matching_rows(books, "Which of the recommended books are for beginners?", "en", [])
    ]
    assert beginners == ["《Python 编程：从入门到实践》", "《机器学习实战》"]
    assert [r.name for r in matching_rows(books, "李沐那本书适合什么时候看", "zh", [])] == [
        "《动手学深度学习》"
    ]
    assert matching_rows(books, "有哪些书推荐", "zh", []) == []  # nothing named: the whole table


@pytest.mark.parametrize(
    "question",
    ["I don't have a GPU. Are there free platforms to practice on?", "有哪些实践平台可以免费用 GPU？"],
)
def test_the_practice_platforms_table_answers_in_full(question: str, roadmap) -> None:
    s = _answer(question, roadmap)
    assert s is not None
    assert "Google Colab" in s.text and "Kaggle Notebooks" in s.text and "每周 30h GPU" in s.text
    assert s.sources[0].headings[-1] == "实践平台"


def test_a_skills_resources_filtered_by_type_first_then_the_rest_by_name(roadmap) -> None:
    s = _answer("学 PyTorch 有没有视频可以看？", roadmap)
    assert s is not None
    head, _, rest = s.text.partition("表中另有")
    assert "莫烦 PyTorch 教程" in head and "PyTorch Lightning" not in head
    assert "PyTorch Lightning" in rest  # nothing of the table is hidden


def test_type_and_language_both_filter(cur) -> None:
    resources = cur.skill(5).resources
    hit, rest = split_resources(resources, "Any English-language courses for deep learning theory?", "en")
    assert [r.name for r in hit] == ["CS231n 卷积神经网络"]
    assert len(hit) + len(rest) == len(resources)
    hit, _ = split_resources(cur.skill(10).resources, "Chinese or English resources are both fine", "en")
    assert hit == []  # every row is one of the two: no filter
    hit, _ = split_resources(cur.skill(4).resources, "机器学习基础的资料里有哪些是中文的？", "zh")
    assert "Andrew Ng - Machine Learning" not in [r.name for r in hit] and len(hit) == 4


def test_a_named_appendix_table_follows_the_skills_tables(roadmap) -> None:
    s = _answer("有哪些讲机器学习、深度学习的视频老师推荐？", roadmap)
    assert s is not None
    for teacher in ("李沐动手学深度学习", "李宏毅机器学习", "吴恩达深度学习", "3Blue1Brown"):
        assert teacher in s.text
    assert s.sources[-1].headings[-1] == "视频学习"


@pytest.mark.parametrize(
    "question", ["向量数据库有哪些可以选", "What vector databases does the roadmap mention?"]
)
def test_a_group_titled_like_another_section_quotes_that_list_too(question: str, roadmap) -> None:
    s = _answer(question, roadmap)
    assert s is not None
    assert all(db in s.text for db in ("Chroma", "Qdrant", "Pinecone", "Milvus"))
    appendix = s.sources[-1]
    assert appendix.headings == ["附录：常用工具和库", "向量数据库"] and "Milvus" in appendix.text
    assert "RAG 检索增强" not in appendix.text  # cited to its own lines, not the skill's


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("Which prompting techniques count as the advanced ones?", "高级技巧"),
        ("What strategies for retrieval does the RAG skill list?", "检索策略"),
    ],
)
def test_an_english_question_names_a_two_word_title_in_either_order(
    question: str, title: str, roadmap
) -> None:
    assert _titles(question, roadmap) == [title]


@pytest.mark.parametrize(
    ("question", "title", "item"),
    [
        (
            "What quantization precisions does the deployment section mention?",
            "推理优化",
            "模型量化（int8, int4）",
        ),
        ("PyTorch 里混合精度训练在哪", "高级特性", "混合精度训练"),
    ],
)
def test_a_named_skill_and_a_word_of_one_of_its_groups_is_that_group(
    question: str, title: str, item: str, roadmap
) -> None:
    assert _titles(question, roadmap) == [title]
    s = _answer(question, roadmap)
    assert s is not None and item in s.text


def test_a_word_of_the_skills_own_name_picks_no_group(roadmap) -> None:
    # 部署 is in 模型部署 (the skill) and in two of its groups: it names the skill only
    assert _titles("模型部署那块讲了啥", roadmap) == []


@pytest.mark.parametrize(
    "question",
    ["有什么社区或者论坛可以交流", "Which communities or forums does the AI roadmap suggest joining?"],
)
def test_the_words_naming_a_table_do_not_filter_its_rows(question: str, roadmap) -> None:
    s = _answer(question, roadmap)
    assert s is not None
    rows = s.text.split("表中另有")[0].split("The table also lists")[0]
    for community in ("GitHub", "Stack Overflow", "知乎", "Reddit r/MachineLearning", "Hugging Face 论坛"):
        assert community in rows


@pytest.mark.parametrize(
    "question",
    [
        "For the retrieval-augmented generation skill, what are the pass criteria?",
        "What are the pass criteria of the retrieval augmented generation skill?",
    ],
)
def test_a_hyphenated_english_alias_names_its_skill(question: str, roadmap) -> None:
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert u.skills == [11] and "checks" in u.aspects


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("NLP 这个技能点掌握了的标志是什么", "checks"),
        ("PyTorch 学会的标志有哪些？", "checks"),
        ("阶段 4 结束的时候应该能做到哪些事？", "checks"),
        ("Prompt 那块让做哪几个提示词设计的练习？", "project"),
        ("RAG 有什么练习可以做", "project"),
    ],
)
def test_learner_words_for_criteria_and_exercises(question: str, aspect: str, roadmap) -> None:
    u = understand(question, roadmap.curriculum, roadmap.config)
    assert aspect in u.aspects


@pytest.mark.parametrize("question", ["RAG 里怎么做混合检索？", "PyTorch 的混合精度训练是什么原理？"])
def test_a_question_asking_how_or_why_about_an_item_is_not_answered_by_its_group(
    question: str, roadmap
) -> None:
    assert _titles(question, roadmap) == []


def test_a_title_the_other_documents_use_needs_its_skill(cur) -> None:
    # the essays each have a "4.1 数学模型构建" section: 模型构建 alone is not PyTorch's topic group
    essays = {p.stem: [] for p in ROADMAP.parent.glob("*.md") if p != ROADMAP}
    elsewhere = (
        "".join(p.read_text(encoding="utf-8") for p in ROADMAP.parent.glob("*.md") if p != ROADMAP)
        .replace(" ", "")
        .casefold()
    )
    assert essays and "模型构建" in elsewhere
    assert named_groups("数学模型构建讲了哪些内容", "zh", Understanding(), cur, elsewhere) == []
    assert (
        named_groups("数学模型构建讲了哪些内容", "zh", Understanding(), cur) != []
    )  # without the other texts
    pytorch = named_groups("PyTorch 的模型构建要学什么", "zh", Understanding(skills=[7]), cur, elsewhere)
    assert [cur.skill(r.skill).content[r.index].title for r in pytorch] == ["模型构建"]
    # a title only the roadmap uses stays a topic on its own
    assert named_groups("文本表示要学哪些方法", "zh", Understanding(), cur, elsewhere) != []


def test_both_languages_asked_filters_no_row_by_language(cur) -> None:
    resources = cur.skill(6).resources
    hit, rest = split_resources(resources, "NLP 那个技能点的学习资料有哪些，中英文的都要", "zh")
    assert hit == [] and len(rest) == len(resources)  # 英文 inside 中英文 is no filter (blind20)
    hit, _ = split_resources(resources, "NLP 那个技能点有哪些英文资料？", "zh")
    assert hit and all("英" in (r.lang or "") for r in hit) and len(hit) < len(resources)


def test_retrieval_augmented_names_the_rag_skill(cur, cfg) -> None:
    u = understand("Which tutorials does the roadmap recommend for a retrieval-augmented QA bot?", cur, cfg)
    assert 11 in u.skills and "resources" in u.aspects  # an alias of 技能点 11 in configs/curriculum.yaml
