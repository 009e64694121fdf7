"""Free text through the real dispatcher and the embedded NLU: commands, entities, chatter."""

from __future__ import annotations

import pytest

from bot.app.bot import Bot
from tests.chat import Chat
from tests.dbscan import count_rows

STOP_TEXTS = ["stop", "arrêtez de m'écrire", "STOP"]


async def _at_age(chat: Chat) -> None:
    await chat.say("salut")
    assert chat.said("Question 1 sur 8")


async def _at_stage(chat: Chat) -> None:
    await _at_age(chat)
    await chat.press("18 à 25 ans")
    assert chat.said("Question 2 sur 8")


async def _at_pitch(chat: Chat) -> None:
    await _at_stage(chat)
    await chat.press("J'ai une idée")
    await chat.press("Restauration")
    assert chat.said("Question 4 sur 8")


async def _at_place(chat: Chat) -> None:
    await _at_pitch(chat)
    await chat.say("Des crêpes au marché du samedi")
    await chat.press("Trouver de l'argent")
    await chat.press("C'est tout")
    assert chat.said("Question 6 sur 8")


async def _at_place_confirmation(chat: Chat) -> None:
    await _at_place(chat)
    await chat.say("69120")
    assert chat.said("C'est bien Vaulx-en-Velin (69120)")


STEPS = {
    "age": _at_age,
    "stage": _at_stage,
    "pitch": _at_pitch,
    "place": _at_place,
    "place_confirmation": _at_place_confirmation,
}


@pytest.mark.parametrize("text", STOP_TEXTS)
async def test_stop_in_any_words_stops_at_any_step(bot: Bot, text: str) -> None:
    for step, walk in STEPS.items():  # one resident per step, all on the same bot
        chat = Chat(bot.handle, user=f"resident-{step}")
        await walk(chat)
        await chat.say(text)
        assert chat.said("je ne t'écris plus"), step
    # Nobody consented to anything, so nothing about them is kept.
    assert await count_rows(bot.engine, "contacts") == 0


async def test_delete_my_data_reaches_erasure_at_any_step(bot: Bot) -> None:
    for step, walk in STEPS.items():
        chat = Chat(bot.handle, user=f"resident-{step}")
        await walk(chat)
        await chat.say("supprimez mes données")
        assert chat.said("Tu veux que j'efface tout ce que je sais sur toi ?"), step
        await chat.press("Oui, tout effacer")
        assert chat.said("j'ai tout effacé"), step


async def test_a_sentence_with_sector_and_place_skips_both_questions(chat: Chat) -> None:
    await _at_age(chat)
    await chat.say("un snack à Vaulx 69120")
    assert chat.said("C'est noté : Restauration, Vaulx-en-Velin (69120).")
    assert chat.said("Question 1 sur 8")  # asked again, kindly, without a retry message
    await chat.say("bof")
    await chat.say("euh")
    assert not chat.said("vraie personne")  # the noted answer was no misunderstanding
    await chat.press("18 à 25 ans")
    await chat.press("J'ai une idée")
    assert chat.said("Question 4 sur 8")  # "C'est dans quel domaine ?" is skipped
    await chat.say("Des kebabs végétariens")
    await chat.press("Un local")
    await chat.press("C'est tout")
    # The commune question is skipped; only its confirmation is asked.
    assert chat.said("C'est bien Vaulx-en-Velin (69120) ?")
    assert "Question 6 sur 8" not in chat.text
    await chat.press("Oui")
    await chat.press("Ici, par message")
    assert chat.said("Domaine : Restauration") and chat.said("Commune : Vaulx-en-Velin")


async def test_a_first_message_with_entities_fills_them_before_the_first_question(
    chat: Chat,
) -> None:
    await chat.say("jveux ouvrir un snack a Vaulx 69120")
    assert chat.said("Question 1 sur 8")
    await chat.press("26 à 30 ans")
    await chat.press("Je prépare mon projet")
    assert chat.said("Question 4 sur 8")


async def test_typos_in_a_sector_still_fill_it(chat: Chat) -> None:
    await _at_stage(chat)
    await chat.press("J'ai une idée")
    await chat.say("une boulangrie")
    assert chat.said("Question 4 sur 8")


async def test_chatter_gets_a_kind_redirect_and_off_topic_ends_with_a_person(
    chat: Chat,
) -> None:
    await _at_stage(chat)
    await chat.say("merci beaucoup")
    assert chat.said("Avec plaisir")
    assert chat.said("Question 2 sur 8")
    await chat.say("t'as vu le match du psg hier ?")
    assert chat.said("Je suis là pour ton projet")
    assert chat.said("Question 2 sur 8")
    await chat.say("raconte moi une blague")
    assert chat.said("Je suis là pour ton projet")
    await chat.say("quel temps il fait demain")
    assert chat.said("vraie personne")  # no endless loop: after 3, a person is offered
    await chat.press("Réessayer")
    assert chat.said("Question 2 sur 8")
    await chat.press("J'ai une idée")
    assert chat.said("Question 3 sur 8")


async def test_a_first_message_branches_on_its_intent(bot: Bot) -> None:
    funding = Chat(bot.handle, user="needs-money")
    await funding.say("g pas d'argent pour lancer mon projet")
    assert funding.said("Pour l'argent, il existe des aides")
    assert funding.said("Question 1 sur 8")
    running = Chat(bot.handle, user="runs-a-business")
    await running.say("j'ai deja ma boite depuis 2 ans")
    assert running.said("Ton activité tourne déjà")
    plain = Chat(bot.handle, user="says-hello")
    await plain.say("bonjour")
    assert not plain.said("Pour l'argent") and not plain.said("Ton activité")


async def test_asking_for_a_person_in_free_text_opens_the_human_flow(chat: Chat) -> None:
    await _at_stage(chat)
    await chat.say("jveux parler a un vrai conseiller")
    assert chat.said("Une vraie personne près de chez toi")


async def test_odd_messages_never_break_a_turn(chat: Chat) -> None:
    await _at_stage(chat)
    for text in ["😂😂😂", "\x00\x01\x02 ¤¤", "a" * 20000, "٣٤٥ مرحبا", "{}[]<>"]:
        await chat.say(text)
        assert chat.replies
        assert not chat.said("je me suis perdu")


async def test_a_pitch_that_sounds_like_a_command_stays_a_pitch(chat: Chat) -> None:
    await _at_pitch(chat)
    await chat.say("une appli pour arrêter de fumer")
    assert chat.said("Question 5 sur 8")
    await chat.press("Me former")
    await chat.press("C'est tout")
    await chat.say("arrêtez de m'écrire")  # a real request to stop still works
    assert chat.said("je ne t'écris plus")
